"""Reports by e-mail to their subscribers: after 08:15 Pakistan time each day's SITREP, and on
Mondays the weekly threat assessments, each made as its subscriber may read it and sent once per
day (a failure is tried again, at most three times). Runs in its own thread, outside any
transaction while it renders and sends, so the slow work never holds the database's write lock."""

import hashlib
import logging
import uuid
from datetime import date, datetime, time
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.auth import actor_for
from jsms.core.crud import ListRequest
from jsms.core.db import new_session, unit_of_work, utcnow
from jsms.core.errors import NotFound
from jsms.core.i18n import N_, Translator
from jsms.core.mail import send_mail
from jsms.core.models import User
from jsms.core.policy import require
from jsms.core.schedule import Repeating
from jsms.reports import schemas as s
from jsms.reports import service
from jsms.reports.assessment import province_name
from jsms.reports.models import ReportDelivery, ReportSubscription
from jsms.reports.sitrep import REPORT_ZONE

log = logging.getLogger("jsms.reports")
SCHEDULER = Actor.system("report-delivery")
SEND_AFTER = time(8, 15)  # a quarter of an hour for the night's last reports to come in
MAX_ATTEMPTS = 3
CHECK_EVERY_S = 60.0
MEDIA = {"pdf": ("application", "pdf"), "html": ("text", "html")}


# ---- subscriptions (the subscriber's own) --------------------------------------------------


def subscriptions(session: Session, actor: Actor) -> list[ReportSubscription]:
    require(session, actor, "report.read")
    stmt = select(ReportSubscription).where(ReportSubscription.user_id == actor.user_id)
    return list(session.scalars(stmt.order_by(ReportSubscription.created_at)))


def subscribe(session: Session, actor: Actor, data: s.SubscriptionIn) -> ReportSubscription:
    require(session, actor, "report.read")
    subscription = ReportSubscription(
        user_id=actor.user_id,
        kind=data.kind,
        province=data.province or "",
        language=data.language or actor.language,
        format=data.format,
        email=data.email,
    )
    session.add(subscription)
    session.flush()
    return subscription


def unsubscribe(session: Session, actor: Actor, subscription_id: uuid.UUID) -> None:
    subscription = session.get(ReportSubscription, subscription_id)
    if subscription is None or subscription.user_id != actor.user_id:
        raise NotFound(f"You have no subscription {subscription_id}")
    subscription.active = False
    session.flush()


def deliveries(session: Session, actor: Actor, query: ListRequest) -> list[ReportDelivery]:
    mine = select(ReportSubscription.id).where(ReportSubscription.user_id == actor.user_id)
    stmt = select(ReportDelivery).where(ReportDelivery.subscription_id.in_(mine))
    stmt = stmt.order_by(ReportDelivery.at.desc()).limit(query.page.limit).offset(query.page.offset)
    return list(session.scalars(stmt))


# ---- sending -----------------------------------------------------------------------------


def due(session: Session, now: datetime) -> list[uuid.UUID]:
    """The subscriptions whose report of today has not gone out yet (and may be tried again)."""
    if now.time() < SEND_AFTER:
        return []
    day = now.date()
    kinds = ["sitrep", "assessment"] if now.weekday() == 0 else ["sitrep"]
    finished = select(ReportDelivery.subscription_id).where(
        ReportDelivery.day == day,
        (ReportDelivery.status == "sent") | (ReportDelivery.attempts >= MAX_ATTEMPTS),
    )
    stmt = select(ReportSubscription.id).where(
        ReportSubscription.active, ReportSubscription.kind.in_(kinds), ReportSubscription.id.not_in(finished)
    )
    return list(session.scalars(stmt))


def deliver_due(now: datetime | None = None) -> int:
    """Send every report that is due; returns how many went out."""
    now = (now or datetime.now(REPORT_ZONE)).astimezone(REPORT_ZONE)
    with new_session(SCHEDULER) as session:  # reads only: no write lock
        waiting = due(session, now)
    return sum(deliver(subscription_id, now.date()) for subscription_id in waiting)


def deliver(subscription_id: uuid.UUID, day: date) -> bool:
    """Make the subscriber's copy of the report of `day`, send it, and record how it went."""
    body, marking, error = b"", "", ""
    with new_session(SCHEDULER) as session:  # reads only: no write lock
        subscription = session.get(ReportSubscription, subscription_id)
        user = session.get(User, subscription.user_id)
        try:
            if not user.active:
                raise RuntimeError(f"the account {user.username} is disabled")
            message, marking, body = _message(session, subscription, actor_for(user), day)
        except Exception as failure:  # recorded below; tried again at the next turn
            error = f"{type(failure).__name__}: {failure}"
    if not error:
        try:
            send_mail(message)
        except Exception as failure:
            error = f"{type(failure).__name__}: {failure}"
    if error:
        log.warning("report %s for %s not delivered: %s", subscription_id, day, error)
    _record(subscription_id, day, marking, body, error)
    return not error


def _message(session: Session, subscription: ReportSubscription, reader: Actor, day: date):
    t = Translator(subscription.language, reader.timezone)
    if subscription.kind == "sitrep":
        report, body = service.situation_report(
            session, reader, day, subscription.language, subscription.format
        )
        title = t.gettext(N_("Situation report"))
        name = f"sitrep-{day.isoformat()}-{subscription.language}"
    else:
        report, body = service.threat_assessment(
            session, reader, subscription.province, day, subscription.language, subscription.format
        )
        province = province_name(subscription.province, t.language)
        title = t.gettext(N_("Weekly threat assessment: %(province)s"), province=province)
        name = f"threat-assessment-{subscription.province}-{day.isoformat()}-{subscription.language}"
    message = EmailMessage()
    message["Subject"] = f"[{report.marking.label}] {title} — {t.date(day, 'long')}"
    message["To"] = subscription.email
    message.set_content(
        t.gettext(
            N_("The report is attached, marked %(marking)s: share it only as its marking allows."),
            marking=report.marking.label,
        )
    )
    maintype, subtype = MEDIA[subscription.format]
    message.add_attachment(body, maintype=maintype, subtype=subtype, filename=f"{name}.{subscription.format}")
    return message, report.marking.label, body


def _record(subscription_id: uuid.UUID, day: date, marking: str, body: bytes, error: str) -> None:
    with unit_of_work(SCHEDULER) as session:
        delivery = session.scalar(
            select(ReportDelivery).where(
                ReportDelivery.subscription_id == subscription_id, ReportDelivery.day == day
            )
        )
        if delivery is None:
            delivery = ReportDelivery(subscription_id=subscription_id, day=day, attempts=0)
            session.add(delivery)
        delivery.attempts += 1
        delivery.status = "failed" if error else "sent"
        delivery.at = utcnow()
        delivery.marking = marking
        delivery.sha256 = hashlib.sha256(body).hexdigest() if body else ""
        delivery.error = error[:2000]


class ReportSender(Repeating):
    """The thread that sends reports when they are due, checking once a minute."""

    def __init__(self, check_every_s: float = CHECK_EVERY_S):
        super().__init__("jsms-reports", deliver_due, check_every_s)
