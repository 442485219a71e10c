"""Retention: positions and personal data are kept for the configured periods, then purged.

Positions (the pings of journeys, devices' last positions) go `JSMS_POSITION_RETENTION_DAYS`
after they were taken, except those of a journey still under way. Personal data goes
`JSMS_PERSONAL_DATA_RETENTION_DAYS` after it stopped being needed: a protected person's
passport, phones and emergency contact once departed; casualties' identity numbers and notes and
beneficiaries' bank accounts once their cases are settled. Names and the records themselves stay.

Each purge that removed something appends one `retention.purge` record to the audit chain saying
when, up to which cut-offs, and what (counts, and the ids of the records touched); each erased
person, casualty or beneficiary also gets its own audited change. The purge runs where events
are delivered (the server or `jsms worker`) every few hours, and by hand as `jsms purge`.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jsms.core.actor import Actor
from jsms.core.audit import record_event
from jsms.core.config import get_settings
from jsms.core.db import new_session, utcnow
from jsms.core.schedule import Repeating
from jsms.registry import service as registry
from jsms.tracking import service as tracking
from jsms.welfare import service as welfare

log = logging.getLogger("jsms.retention")
PURGER = Actor.system("retention")
PURGE_EVERY_S = 6 * 3600.0


@dataclass
class Purge:
    """What one purge removed, and up to when."""

    positions_before: datetime
    personal_data_before: datetime
    positions: dict[str, Any] = field(default_factory=dict)
    persons: list[uuid.UUID] = field(default_factory=list)
    casualties: list[uuid.UUID] = field(default_factory=list)
    beneficiaries: list[uuid.UUID] = field(default_factory=list)
    audit_id: uuid.UUID | None = None

    @property
    def removed_anything(self) -> bool:
        removed = (self.positions.get("blocks"), self.positions.get("last_positions"), self.persons)
        return any((*removed, self.casualties, self.beneficiaries))

    def record(self) -> dict[str, Any]:
        return {
            "positions_before": self.positions_before,
            "personal_data_before": self.personal_data_before,
            "positions": self.positions,
            "persons": sorted(str(i) for i in self.persons),
            "casualties": sorted(str(i) for i in self.casualties),
            "beneficiaries": sorted(str(i) for i in self.beneficiaries),
        }


def purge(now: datetime | None = None, dry_run: bool = False) -> Purge:
    """Purge what has outlived its period, in one transaction (rolled back for a dry run)."""
    settings = get_settings()
    now = now or utcnow()
    result = Purge(
        positions_before=now - timedelta(days=settings.position_retention_days),
        personal_data_before=now - timedelta(days=settings.personal_data_retention_days),
    )
    with new_session(PURGER, write=True) as session:
        result.positions = tracking.purge_positions(session, result.positions_before)
        result.persons = registry.erase_departed_persons(session, result.personal_data_before)
        erased = welfare.erase_settled_personal_data(session, result.personal_data_before)
        result.casualties, result.beneficiaries = erased["casualties"], erased["beneficiaries"]
        if dry_run:
            session.rollback()
            return result
        if result.removed_anything:
            result.audit_id = uuid.uuid4()
            record_event(session, "retention.purge", "retention", result.audit_id, result.record())
        session.commit()
    if result.removed_anything:
        log.info("retention purge %s: %s", result.audit_id, result.record())
    return result


class RetentionPurger(Repeating):
    """The thread that purges every few hours, where events are delivered (one per node)."""

    def __init__(self, every_s: float = PURGE_EVERY_S):
        super().__init__("jsms-retention", purge, every_s)
