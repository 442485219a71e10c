"""Live push: messages fanned out to the pages watching (server-sent events), after commit only.

A service that changes something worth seeing at once (an alert raised, a convoy moved) calls
`publish_after_commit(session, message)`; the message goes out when, and only if, the unit of
work commits. In one process the broker hands messages straight to its subscribers; with
`JSMS_REDIS_URL` set they travel over a Redis channel, so a page served by one process sees what
a worker in another raised.
"""

import asyncio
import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("jsms.live")
PENDING_KEY = "jsms.live.pending"
CHANNEL = "jsms:live"
QUEUE_SIZE = 2000


@dataclass(eq=False)
class Subscription:
    """One watcher's queue on its event loop; `missed` says messages were dropped (too slow)."""

    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    missed: bool = False

    def offer(self, message: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.missed = True


class Broker:
    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()
        self._lock = threading.Lock()
        self._redis = None
        self._relay: threading.Thread | None = None

    def subscribe(self) -> Subscription:
        subscription = Subscription(asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, messages: list[dict[str, Any]]) -> None:
        """Send messages to every watcher (of every process, with Redis); callable from any thread."""
        if not messages:
            return
        if self._redis is not None:
            try:
                self._redis.publish(CHANNEL, json.dumps(messages, default=str))
                return
            except Exception:  # Redis down: at least this process's watchers see it
                log.exception("live push through Redis failed")
        self.deliver_here(messages)

    def deliver_here(self, messages: list[dict[str, Any]]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            for message in messages:
                try:
                    subscription.loop.call_soon_threadsafe(subscription.offer, message)
                except RuntimeError:  # its loop has closed
                    self.unsubscribe(subscription)
                    break

    def use_redis(self, url: str) -> None:
        """Publish through Redis and relay what any process publishes to this process's watchers."""
        import redis

        self._redis = redis.Redis.from_url(url)
        self._relay = threading.Thread(target=self._listen, args=(url,), name="jsms-live-relay", daemon=True)
        self._relay.start()

    def _listen(self, url: str) -> None:
        import redis

        while True:
            try:
                pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                for item in pubsub.listen():
                    self.deliver_here(json.loads(item["data"]))
            except Exception:  # reconnect after a Redis restart
                log.exception("live relay lost Redis; reconnecting")
                threading.Event().wait(1.0)


broker = Broker()


def publish_after_commit(session: Session, message: dict[str, Any]) -> None:
    session.info.setdefault(PENDING_KEY, []).append(message)


@event.listens_for(Session, "after_commit")
def _publish_pending(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        broker.publish(pending)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
