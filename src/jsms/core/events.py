"""Domain events through a transactional outbox.

A service calls `emit(session, "incident.verified", {...})` inside its unit of work: the event
is a row written in the same transaction as the change, so a rollback sends nothing and a
crash after commit loses nothing. A dispatcher (in the server process, or `jsms worker`)
delivers pending rows to the handlers registered for their name, in order, and marks them
delivered; a handler that fails leaves its row pending to be retried.
"""

import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from jsms.core.actor import Actor
from jsms.core.db import Base, UTCDateTime, new_session, unit_of_work, utcnow

log = logging.getLogger("jsms.events")
Handler = Callable[[Session, dict[str, Any]], None]
BatchHook = Callable[[Session], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)
_batch_hooks: list[BatchHook] = []
_periodic_hooks: list[BatchHook] = []
PERIODIC_SECONDS = 30.0
DISPATCHER = Actor.system("event-dispatcher")


class OutboxEvent(Base):
    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_pending", "delivered_at", "seq"),)

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4, unique=True)
    name: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def emit(session: Session, name: str, payload: dict[str, Any]) -> None:
    """Record an event in the caller's transaction; it is delivered only if that commits."""
    session.add(OutboxEvent(name=name, payload=payload))


def on(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for an event name (handlers take the session and the payload)."""

    def register(handler: Handler) -> Handler:
        if handler not in _handlers[name]:
            _handlers[name].append(handler)
        return handler

    return register


def after_batch(hook: BatchHook) -> BatchHook:
    """Register work to do once after a batch of events (e.g. re-derive levels once, not per event)."""
    if hook not in _batch_hooks:
        _batch_hooks.append(hook)
    return hook


def _deliver(session: Session, event: OutboxEvent) -> None:
    for handler in _handlers.get(event.name, []):
        handler(session, event.payload)
    event.delivered_at = utcnow()
    event.attempts += 1


def periodically(hook: BatchHook) -> BatchHook:
    """Register work the dispatcher does every half minute (e.g. expire overrides, let decay show)."""
    if hook not in _periodic_hooks:
        _periodic_hooks.append(hook)
    return hook


def run_periodic_hooks() -> None:
    _run_hooks(_periodic_hooks)


def dispatch_pending(limit: int = 500) -> int:
    """Deliver pending events in order; returns how many were delivered.

    A batch is delivered in one unit of work; if any handler fails, the batch is rolled back
    and retried one event at a time, so the failing event is recorded and the ones before it
    still go through (later ones wait: events keep their order).
    """
    if not _any_pending():
        return 0
    try:
        with unit_of_work(DISPATCHER) as session:
            pending = _pending(session, limit)
            for event in pending:
                _deliver(session, event)
            delivered = len(pending)
    except Exception:  # fall back to one by one to find and record the culprit
        delivered = _dispatch_one_by_one(limit)
    if delivered:
        _run_hooks(_batch_hooks)
    return delivered


def _any_pending() -> bool:
    """A look without the write lock: on SQLite the poll must not queue the ping intake's commits
    behind it several times a second when there is nothing to deliver."""
    undelivered = select(OutboxEvent.seq).where(OutboxEvent.delivered_at.is_(None)).limit(1)
    with new_session(DISPATCHER) as session:
        return session.scalar(undelivered) is not None


def _pending(session: Session, limit: int) -> list[OutboxEvent]:
    return list(
        session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.delivered_at.is_(None))
            .order_by(OutboxEvent.seq)
            .limit(limit)
        )
    )


def _dispatch_one_by_one(limit: int) -> int:
    delivered = 0
    with unit_of_work(DISPATCHER) as session:
        sequence = [event.seq for event in _pending(session, limit)]
    for seq in sequence:
        try:
            with unit_of_work(DISPATCHER) as session:
                _deliver(session, session.get(OutboxEvent, seq))
            delivered += 1
        except Exception as error:  # record the failure, retry later
            log.exception("event %s failed", seq)
            with unit_of_work(DISPATCHER) as session:
                row = session.get(OutboxEvent, seq)
                row.attempts += 1
                row.last_error = f"{type(error).__name__}: {error}"[:2000]
            break
    return delivered


def _run_hooks(hooks: list[BatchHook]) -> None:
    for hook in hooks:
        try:
            with unit_of_work(DISPATCHER) as session:
                hook(session)
        except Exception:  # the hook keeps its own state and runs again next batch
            log.exception("after-batch hook %s failed", getattr(hook, "__name__", hook))


class Dispatcher:
    """Delivers events soon after they commit: in a background thread of the server (`start`),
    or in the foreground of `jsms worker` (`run`). Every half minute it also runs the periodic hooks."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="jsms-events", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def run(self) -> None:
        """Deliver until stopped; a batch that delivered something is followed at once by the next."""
        last_periodic = 0.0
        while not self._stop.is_set():
            delivered = 0
            try:
                delivered = dispatch_pending()
                if time.monotonic() - last_periodic >= PERIODIC_SECONDS:
                    last_periodic = time.monotonic()
                    run_periodic_hooks()
            except Exception:  # the loop must survive a database hiccup
                log.exception("event dispatch failed")
            if not delivered:
                self._wake.wait(self.interval)
                self._wake.clear()
