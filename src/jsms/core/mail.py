"""E-mail out through the SMTP server the settings name (alerts, reports)."""

import smtplib
from email.message import EmailMessage

from jsms.core.config import get_settings

TIMEOUT_S = 10.0


def send_mail(message: EmailMessage) -> None:
    """Send one message, From the node's address; raise if no server is set or it refuses."""
    settings = get_settings()
    if not settings.smtp_host:
        raise RuntimeError("no SMTP server is configured (JSMS_SMTP_HOST)")
    if "From" not in message:
        message["From"] = settings.smtp_from
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_S) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        smtp.send_message(message)
