"""The daily situation report: what happened in the 24 hours up to the morning report time, as
the reader may see it. Every section is read through the domains' services with the reader as
actor, so a partner's copy holds only what the policy releases to the partner; the report's
marking is the highest marking of what it holds."""

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from jsms.alerts import service as alerts
from jsms.coordination import service as coordination
from jsms.core.actor import Actor
from jsms.core.db import utcnow
from jsms.core.errors import Forbidden
from jsms.core.marking import Tlp
from jsms.core.policy import allows
from jsms.incidents import service as incidents
from jsms.movements import service as movements
from jsms.risk import service as risk

REPORT_ZONE = ZoneInfo("Asia/Karachi")
REPORT_HOUR = time(8, 0)  # the morning report covers the 24 hours up to 08:00 Pakistan time
TREND_DAYS = 30


@dataclass
class Sitrep:
    day: date
    start: datetime
    end: datetime
    reader: Actor
    generated_at: datetime
    incidents: list[Any] = field(default_factory=list)
    level_changes: list[Any] = field(default_factory=list)
    completed: list[Any] = field(default_factory=list)
    under_way: list[Any] = field(default_factory=list)
    alerts: list[Any] = field(default_factory=list)
    overdue: list[Any] = field(default_factory=list)
    outlook: str = ""
    marking: Tlp = Tlp.GREEN
    withheld: list[str] = field(default_factory=list)  # sections the reader may not see at all
    trend_days: list[str] = field(default_factory=list)  # the 30 days before, "MM-DD"
    trend: dict[str, list[int]] = field(default_factory=dict)  # kind → incidents each day
    incidents_30_days: list[Any] = field(default_factory=list)  # their markings count too

    @property
    def killed(self) -> int:
        return sum(i.killed or 0 for i in self.incidents)

    @property
    def injured(self) -> int:
        return sum(i.injured or 0 for i in self.incidents)

    @property
    def acknowledgement_minutes(self) -> float | None:
        """Median minutes from an alert's raising to its acknowledgement (acknowledged ones)."""
        waits = [
            (a.acknowledged_at - a.raised_at).total_seconds() / 60 for a in self.alerts if a.acknowledged_at
        ]
        return round(statistics.median(waits), 1) if waits else None


def window(day: date) -> tuple[datetime, datetime]:
    """The report's 24 hours, in UTC: from 08:00 the day before to 08:00 on the day (Pakistan time)."""
    end = datetime.combine(day, REPORT_HOUR, tzinfo=REPORT_ZONE)
    return end - timedelta(days=1), end


def gather(session: Session, reader: Actor, day: date, outlook: str = "") -> Sitrep:
    start, end = window(day)
    report = Sitrep(day, start, end, reader, utcnow(), outlook=outlook)
    sections = (
        ("incidents", "incident.read", lambda: incidents.counted_between(session, reader, start, end)),
        ("level_changes", "risk.read", lambda: risk.changes_between(session, reader, start, end)),
        ("completed", "journey.read", lambda: movements.completed_between(session, reader, start, end)),
        ("under_way", "journey.read", lambda: movements.under_way(session, reader)),
        ("alerts", "alert.read", lambda: alerts.raised_between(session, reader, start, end)),
        ("overdue", "meeting.read", lambda: coordination.overdue_actions(session, reader, day)),
    )
    for name, permission, read in sections:
        if not allows(session, reader, permission):
            report.withheld.append(name)
            continue
        try:
            setattr(report, name, read())
        except Forbidden:
            report.withheld.append(name)
    if "incidents" not in report.withheld:
        _trend(session, reader, report)
    report.marking = highest_marking(
        [*report.incidents, *report.incidents_30_days, *report.completed, *report.under_way, *report.alerts]
    )
    return report


def _trend(session: Session, reader: Actor, report: Sitrep) -> None:
    """Incidents by type on each of the 30 days up to the report (the day's context)."""
    recent = incidents.counted_between(session, reader, report.end - timedelta(days=TREND_DAYS), report.end)
    days = [
        (report.end - timedelta(days=TREND_DAYS - n)).astimezone(REPORT_ZONE).date()
        for n in range(TREND_DAYS)
    ]
    counts = Counter(
        (i.kind, (i.occurred_at.astimezone(REPORT_ZONE) - timedelta(hours=8)).date()) for i in recent
    )
    report.trend_days = [day.strftime("%m-%d") for day in days]
    report.trend = {kind: [counts[(kind, day)] for day in days] for kind in sorted({i.kind for i in recent})}
    report.incidents_30_days = recent


def highest_marking(records: Iterable[Any]) -> Tlp:
    """A report is marked as the most restricted record it draws on (at least TLP:GREEN)."""
    ranks = [Tlp(getattr(record, "tlp", Tlp.GREEN.value)) for record in records]
    return max([Tlp.GREEN, *ranks], key=lambda tlp: tlp.rank)
