"""Live push: messages fanned out to the pages watching (server-sent events), after commit only.

A service that changes something worth seeing at once (an alert raised, a convoy moved) calls
`publish_after_commit(session, message)`; the message goes out when, and only if, the unit of
work commits, to the subscribers of this process — or, with Redis (scale-out), to a Redis
channel that every server process listens to, so that an alert raised by a tracking worker
reaches the pages served by any server.
"""

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.orm import Session

PENDING_KEY = "jsms.live.pending"
QUEUE_SIZE = 2000
CHANNEL = "jsms:live"
log = logging.getLogger("jsms.live")


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
        self._redis: Any = None
        self._listener: threading.Thread | None = None
        self._stopping = threading.Event()

    def subscribe(self) -> Subscription:
        subscription = Subscription(asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    def publish(self, messages: list[dict[str, Any]]) -> None:
        """Hand messages to every watcher (through Redis when relaying); callable from any thread."""
        if self._redis is not None:
            try:
                self._redis.publish(CHANNEL, orjson.dumps(messages))
                return
            except Exception:  # the live picture must not break a commit: at least this process
                log.exception("publishing to Redis failed; delivering in this process only")
        self.deliver(messages)

    def relay_through(self, client: Any, listen: bool) -> None:
        """Publish through Redis; with `listen`, deliver what any process publishes to this one's
        watchers (servers listen; workers only publish)."""
        self._redis = client
        if listen and self._listener is None:
            self._stopping.clear()
            self._listener = threading.Thread(target=self._listen, name="jsms-live-relay", daemon=True)
            self._listener.start()

    def stop_relay(self) -> None:
        self._stopping.set()
        self._redis = None
        self._listener = None

    def _listen(self) -> None:
        while not self._stopping.is_set():
            client = self._redis
            if client is None:
                return
            try:
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None:
                        self.deliver(orjson.loads(message["data"]))
                pubsub.close()
            except Exception:
                log.exception("the live relay lost Redis; reconnecting")
                time.sleep(1)

    def deliver(self, messages: list[dict[str, Any]]) -> None:
        """Hand messages to every watcher of this process."""
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            for message in messages:
                try:
                    subscription.loop.call_soon_threadsafe(subscription.offer, message)
                except RuntimeError:  # its loop has closed
                    self.unsubscribe(subscription)
                    break


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


def relay_via_redis(url: str | None, listen: bool) -> None:
    """With a Redis URL (scale-out), carry live messages between processes; without, nothing to do."""
    if url:
        import redis

        broker.relay_through(redis.Redis.from_url(url), listen)
