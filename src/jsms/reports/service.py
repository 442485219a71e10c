"""Reports: the day's situation report for a reader (what the policy shows them), the outlook the
analyst on duty writes for it, and the report as HTML or PDF. No commit here."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.policy import require
from jsms.reports import render, sitrep
from jsms.reports.models import SitrepOutlook
from jsms.reports.schemas import OutlookIn


def today() -> date:
    return datetime.now(sitrep.REPORT_ZONE).date()


def outlook_of(session: Session, day: date) -> SitrepOutlook | None:
    return session.scalar(select(SitrepOutlook).where(SitrepOutlook.day == day))


def write_outlook(session: Session, actor: Actor, day: date, data: OutlookIn) -> SitrepOutlook:
    """The analyst on duty's outlook for the day's report (written again: replaced)."""
    require(session, actor, "report.write")
    outlook = outlook_of(session, day)
    if outlook is None:
        outlook = SitrepOutlook(day=day, text=data.text, analyst=actor.username)
        session.add(outlook)
    else:
        outlook.text, outlook.analyst = data.text, actor.username
    session.flush()
    return outlook


def situation_report(
    session: Session, actor: Actor, day: date, language: str, format: str
) -> tuple[sitrep.Sitrep, bytes]:
    """The day's report as this reader may see it, rendered."""
    require(session, actor, "report.read")
    outlook = outlook_of(session, day)
    report = sitrep.gather(session, actor, day, outlook.text if outlook else "")
    html = render.sitrep_html(report, language)
    return report, render.pdf_of(html) if format == "pdf" else html.encode()
