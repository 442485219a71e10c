"""Tracking in a process: the monitor and the group-commit intake wired to the database, the
clock, and the handlers of other domains' events.

`start()` runs it all in this process.
"""

import logging
import uuid
from typing import Any

from sqlalchemy.orm import Session

from jsms.core.config import get_settings
from jsms.core.db import new_session, unit_of_work
from jsms.core.events import on
from jsms.tracking import rollcall
from jsms.tracking.columns import FixColumns
from jsms.tracking.intake import Intake
from jsms.tracking.service import TRACKING, Directory, Monitor, on_registry_change, recent_incident

log = logging.getLogger("jsms.tracking")


class LocalTracking:
    """One monitor, fed by one writer thread: store, check and commit each group of fixes."""

    def __init__(self, ticking: bool = True) -> None:
        self.monitor = Monitor()
        self.intake = Intake(self._store, self._tick if ticking else None)

    @property
    def directory(self) -> Directory:
        return self.monitor.directory

    def start(self) -> "LocalTracking":
        with unit_of_work(TRACKING) as session:
            self.monitor.refresh(session, force=True)
        self.intake.start()
        return self

    def stop(self) -> None:
        self.intake.stop()

    def _store(self, fixes: FixColumns, received: float) -> None:
        self.monitor.in_unit(lambda session: self.monitor.process(session, fixes, received))

    def _tick(self) -> None:
        self.monitor.in_unit(self.monitor.tick)

    def refresh_directory(self) -> None:
        """Read the devices again now (a report from an identifier not seen yet)."""
        with new_session(TRACKING) as session:  # a read: no write lock
            self.monitor.directory.load(session)


_current: Any = None


def current():
    """The tracking runtime of this process (started by the server), or None."""
    return _current


def start() -> Any:
    """Start tracking in this process: all of it, or with Redis only the intake (workers check)."""
    global _current
    if get_settings().redis_url:
        from jsms.tracking.stream import StreamTracking

        _current = StreamTracking().start()
    else:
        _current = LocalTracking().start()
    return _current


def use(runtime: Any) -> None:
    """Make a runtime this process's (tests drive one whose clock they tick themselves)."""
    global _current
    _current = runtime


def stop() -> None:
    global _current
    if _current is not None:
        _current.stop()
        _current = None


def _reload_directory() -> None:
    runtime = current()
    if runtime is not None:
        try:
            runtime.refresh_directory()
        except Exception:  # the periodic refresh will catch up
            log.exception("reading the device registry again failed")


on_registry_change(_reload_directory)


@on("incident.verified")
def _incident_near_journeys(session: Session, payload: dict[str, Any]) -> None:
    Monitor().incident_verified(session, payload)


@on("incident.verified")
def _roll_call(session: Session, payload: dict[str, Any]) -> None:
    """A fresh incident opens a roll call of the protected persons near it."""
    if payload.get("lat") is not None and recent_incident(payload.get("occurred_at")):
        rollcall.open_roll_call(session, TRACKING, uuid.UUID(payload["id"]))
