"""Alerts' background work: threat-level changes become alerts, deliveries go out after commit,
unacknowledged alerts escalate. All of it runs in the event dispatcher (one process per node)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from jsms.alerts import channels, service
from jsms.core.db import utcnow
from jsms.core.events import on, periodically
from jsms.geo.provinces import PROVINCES


def _severity(level: int, previous: int | None) -> str:
    if previous is not None and level < previous:
        return "minor"
    return "severe" if level >= 4 else "moderate" if level == 3 else "minor"


@on("threat_level.changed")
def threat_level_alert(session: Session, payload: dict[str, Any]) -> None:
    """A change of an area's threat level is announced as an alert (shared with both parties)."""
    area, level, previous = payload["area"], int(payload["level"]), payload.get("previous_level")
    if previous is None:  # an area's first computed level is no change
        return
    province = area.split("/", 1)[0]
    name = (
        area.split("/", 1)[1] if "/" in area else PROVINCES[province].name if province in PROVINCES else area
    )
    at = utcnow()
    draft = service.AlertDraft(
        kind="threat_level",
        severity=_severity(level, previous),
        key=f"threat_level:{area}:{level}:{payload.get('changed_at', at.isoformat())}",
        group_key=f"threat_level:{area}",
        subject_type="area",
        subject_id=area,
        subject_label=str(name),
        raised_at=at,
        params={"area": name, "old": previous, "new": level},
        evidence=[{k: payload.get(k) for k in ("cause", "reason", "intensity")}],
        area=province,
        tlp="green",
    )
    service.raise_alert(session, draft, at)


@on("alert.raised")
def deliver_new_alert(session: Session, payload: dict[str, Any]) -> None:
    channels.send_due(session, utcnow(), alert_id=uuid.UUID(payload["alert_id"]))


@periodically
def escalate_and_retry(session: Session) -> None:
    now = utcnow()
    service.escalate_due(session, now)
    channels.send_due(session, now)


def run_once(session: Session, now: datetime | None = None) -> None:
    """Escalate and deliver now (the CLI and tests; the dispatcher does it every half minute)."""
    now = now or utcnow()
    service.escalate_due(session, now)
    channels.send_due(session, now)
