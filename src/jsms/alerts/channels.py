"""Sending alerts out: signed webhooks and e-mail, from the delivery rows written with each alert.

A webhook is a POST of the alert as JSON with two headers: `X-JSMS-Timestamp` (Unix seconds)
and `X-JSMS-Signature: sha256=<hex>`, the HMAC-SHA256 with the channel's secret of
`<timestamp>.<body>`. A receiver recomputes it and refuses old timestamps, so a captured call
cannot be replayed. E-mail goes through the SMTP server the settings name, in the channel's
language. A delivery that fails is retried with growing delays, up to a day.
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.alerts.models import Alert, AlertChannel, AlertDelivery
from jsms.alerts.service import KIND_LABELS, SEVERITY_LABELS, TIER_LABELS, render
from jsms.core.config import get_settings
from jsms.core.i18n import N_, Translator
from jsms.core.mail import send_mail

log = logging.getLogger("jsms.alerts")
TIMEOUT_S = 5.0
MAX_ATTEMPTS = 12
RETRY_BASE_S = 30


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def payload(alert: Alert, action: str, translator: Translator) -> dict[str, Any]:
    settings = get_settings()
    link = f"{settings.public_url}/alerts/{alert.id}" if settings.public_url else None
    return {
        "id": str(alert.id),
        "node": settings.node_id,
        "action": action,
        "kind": alert.kind,
        "severity": alert.severity,
        "status": alert.status,
        "tier": alert.tier,
        "subject": {"type": alert.subject_type, "id": alert.subject_id, "label": alert.subject_label},
        "message": render(alert, translator),
        "raised_at": alert.raised_at.isoformat(),
        "lat": alert.lat,
        "lon": alert.lon,
        "marking": {"tlp": alert.tlp, "owner_party": alert.owner_party, "release_to": alert.release_to},
        "link": link,
    }


def send_webhook(channel: AlertChannel, body: bytes) -> None:
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-JSMS-Timestamp": timestamp}
    if channel.secret:
        headers["X-JSMS-Signature"] = sign(channel.secret, timestamp, body)
    response = httpx.post(channel.target, content=body, headers=headers, timeout=TIMEOUT_S)
    response.raise_for_status()


def send_email(channel: AlertChannel, alert: Alert, action: str, translator: Translator) -> None:
    settings = get_settings()
    message = EmailMessage()
    kind = translator.gettext(KIND_LABELS.get(alert.kind, alert.kind))
    severity = translator.gettext(SEVERITY_LABELS[alert.severity])
    prefix = translator.gettext(N_("Escalated")) + " — " if action == "escalated" else ""
    message["Subject"] = f"[{alert.marking['tlp_label']}] {prefix}{severity}: {kind} — {alert.subject_label}"
    message["From"] = settings.smtp_from
    message["To"] = channel.target
    lines = [
        render(alert, translator),
        "",
        f"{translator.gettext(N_('Raised'))}: {translator.datetime(alert.raised_at)}",
        f"{translator.gettext(N_('Tier'))}: {translator.gettext(TIER_LABELS[alert.tier])}",
    ]
    if settings.public_url:
        lines.append(f"{settings.public_url}/alerts/{alert.id}")
    message.set_content("\n".join(lines))
    send_mail(message)


def deliver(session: Session, delivery: AlertDelivery, now: datetime) -> None:
    """Try one delivery; record success, or the error and when to try again."""
    channel = session.get(AlertChannel, delivery.channel_id)
    alert = session.get(Alert, delivery.alert_id)
    translator = Translator(channel.language, "UTC")
    delivery.attempts += 1
    try:
        if channel.kind == "webhook":
            body = json.dumps(payload(alert, delivery.action, translator), ensure_ascii=False).encode()
            send_webhook(channel, body)
        else:
            send_email(channel, alert, delivery.action, translator)
    except Exception as error:  # a receiver that is down is retried, never raised to the caller
        delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "failed"
        else:
            delay = min(RETRY_BASE_S * 2 ** (delivery.attempts - 1), 86_400)
            delivery.next_attempt_at = now + timedelta(seconds=delay)
        log.warning("alert delivery to %s failed: %s", channel.name, delivery.last_error)
        return
    delivery.status = "sent"
    delivery.sent_at = now
    delivery.last_error = None


def send_due(session: Session, now: datetime, alert_id=None, limit: int = 100) -> int:
    """Deliver what is due (of one alert, or of all); returns how many were attempted."""
    stmt = select(AlertDelivery).where(
        AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now
    )
    if alert_id is not None:
        stmt = stmt.where(AlertDelivery.alert_id == alert_id)
    due = session.scalars(stmt.order_by(AlertDelivery.next_attempt_at).limit(limit)).all()
    for delivery in due:
        deliver(session, delivery, now)
    return len(due)
