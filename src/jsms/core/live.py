"""Live push: messages fanned out to the pages watching (server-sent events), after commit only.

A service that changes something worth seeing at once (an alert raised, a convoy moved) calls
`publish_after_commit(session, message)`; the message goes out when, and only if, the unit of
work commits, to the subscribers of this process.
"""

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

PENDING_KEY = "jsms.live.pending"
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

    def subscribe(self) -> Subscription:
        subscription = Subscription(asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    def publish(self, messages: list[dict[str, Any]]) -> None:
        """Hand messages to every watcher of this process; callable from any thread."""
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
