"""Reports: the day's situation report and a province's weekly threat assessment for a reader
(what the policy shows them), the notes analysts write for them (outlook, judgement), and the
reports as HTML or PDF. No commit here."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.errors import invalid_field
from jsms.core.i18n import N_
from jsms.core.policy import require
from jsms.geo.provinces import PROVINCES
from jsms.reports import assessment, render, sitrep
from jsms.reports.models import ReportNote
from jsms.reports.schemas import NoteIn

SITREP, ASSESSMENT = "sitrep", "assessment"


def today() -> date:
    return datetime.now(sitrep.REPORT_ZONE).date()


def note_of(session: Session, kind: str, day: date, area: str = "") -> ReportNote | None:
    return session.scalar(
        select(ReportNote).where(ReportNote.kind == kind, ReportNote.area == area, ReportNote.day == day)
    )


def write_note(
    session: Session, actor: Actor, kind: str, day: date, data: NoteIn, area: str = ""
) -> ReportNote:
    """The analyst's outlook for a day's report, or judgement for a province's week (written
    again: replaced)."""
    require(session, actor, "report.write")
    if area:
        _known_province(area)
    note = note_of(session, kind, day, area)
    if note is None:
        note = ReportNote(kind=kind, area=area, day=day, text=data.text, analyst=actor.username)
        session.add(note)
    else:
        note.text, note.analyst = data.text, actor.username
    session.flush()
    return note


def _known_province(code: str) -> None:
    if code not in PROVINCES:
        raise invalid_field("province", N_("no province %(area)s"), area=code)


def _text(note: ReportNote | None) -> str:
    return note.text if note else ""


def situation_report(
    session: Session, actor: Actor, day: date, language: str, format: str
) -> tuple[sitrep.Sitrep, bytes]:
    """The day's report as this reader may see it, rendered."""
    require(session, actor, "report.read")
    report = sitrep.gather(session, actor, day, _text(note_of(session, SITREP, day)))
    html = render.sitrep_html(report, language)
    return report, render.pdf_of(html) if format == "pdf" else html.encode()


def threat_assessment(
    session: Session, actor: Actor, province: str, week_ending: date, language: str, format: str
) -> tuple[assessment.ThreatAssessment, bytes]:
    """A province's weekly threat assessment as this reader may see it, rendered."""
    require(session, actor, "report.read")
    _known_province(province)
    judgement = _text(note_of(session, ASSESSMENT, week_ending, province))
    report = assessment.gather(session, actor, province, week_ending, judgement)
    html = render.assessment_html(report, language)
    return report, render.pdf_of(html) if format == "pdf" else html.encode()
