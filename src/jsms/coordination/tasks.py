"""Coordination's background work: reminders and alerts for meeting actions (in the dispatcher)."""

from sqlalchemy.orm import Session

from jsms.coordination import service
from jsms.core.events import periodically


@periodically
def remind_actions(session: Session) -> None:
    service.remind_actions(session)
