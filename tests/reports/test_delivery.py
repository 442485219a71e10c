"""Reports by e-mail through a real SMTP server: a subscriber's own copy (the partner's without
what its marking withholds), once per day, after 08:15; failures recorded and tried again."""

import email
import io
from datetime import datetime

import pytest
from pypdf import PdfReader

from jsms.core.config import get_settings, use_settings
from jsms.reports.delivery import MAX_ATTEMPTS, deliver_due
from jsms.reports.sitrep import REPORT_ZONE
from tests.reports.test_sitrep import DAY, verified_incident

MORNING = datetime(DAY.year, DAY.month, DAY.day, 9, 0, tzinfo=REPORT_ZONE)


def subscribe(api, user: str, **body) -> dict:
    answer = api.post("/api/v1/reports/subscriptions", user, json={"kind": "sitrep", **body})
    assert answer.status_code == 201, answer.text
    return answer.json()


def attachment_text(envelope) -> str:
    message = email.message_from_bytes(envelope.content)
    part = next(p for p in message.walk() if p.get_content_type() == "application/pdf")
    reader = PdfReader(io.BytesIO(part.get_payload(decode=True)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_partner_receives_its_own_copy_once(api, smtp_inbox):
    inbox = smtp_inbox
    verified_incident(api)
    verified_incident(api, title="Host-only source report on the Gwadar harbour road", tlp="red")
    subscribe(api, "partner.liaison", language="zh", email="liaison@embassy.example")
    subscribe(api, "host.commander", email="commander@ops.example")
    assert deliver_due(MORNING.replace(hour=8, minute=0)) == 0  # before 08:15 nothing is due
    assert deliver_due(MORNING) == 2
    by_recipient = {m.rcpt_tos[0]: m for m in inbox}
    partner = attachment_text(by_recipient["liaison@embassy.example"])
    host = attachment_text(by_recipient["commander@ops.example"])
    assert "态势报告" in partner and "Host-only source report" not in partner
    assert "Host-only source report" in host
    subject = email.message_from_bytes(by_recipient["commander@ops.example"].content)["Subject"]
    assert subject.startswith("[TLP:RED]")
    assert deliver_due(MORNING.replace(hour=11)) == 0  # once a day
    assert len(inbox) == 2
    sent = api.get("/api/v1/reports/deliveries", "partner.liaison").json()
    assert [(d["day"], d["status"]) for d in sent] == [(DAY.isoformat(), "sent")]
    assert api.get("/api/v1/reports/deliveries", "host.analyst").json() == []


def test_a_failed_delivery_is_recorded_and_tried_again_at_most_three_times(api):
    subscribe(api, "host.commander", email="commander@ops.example")
    settings = get_settings()
    use_settings(settings.model_copy(update={"smtp_host": None}))
    try:
        for _ in range(MAX_ATTEMPTS + 1):
            deliver_due(MORNING)
    finally:
        use_settings(settings)
    tried = api.get("/api/v1/reports/deliveries", "host.commander").json()
    assert [(d["status"], d["attempts"]) for d in tried] == [("failed", MAX_ATTEMPTS)]
    assert "SMTP" in tried[0]["error"]


def test_assessments_go_out_on_mondays(api, smtp_inbox):
    inbox = smtp_inbox
    subscribe(
        api, "host.analyst", kind="assessment", province="PK-BA", language="en", email="analyst@ops.example"
    )
    assert deliver_due(MORNING) == 0  # the 20th of November 2026 is a Friday
    monday = MORNING.replace(day=23)
    assert deliver_due(monday) == 1
    assert "Weekly threat assessment: Balochistan" in email.message_from_bytes(inbox[0].content)["Subject"]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "assessment"},  # no province
        {"kind": "sitrep", "province": "PK-BA"},
        {"kind": "sitrep", "email": "not an address"},
        {"kind": "weekly"},
    ],
)
def test_bad_subscriptions_are_refused(api, body):
    answer = api.post(
        "/api/v1/reports/subscriptions", "host.commander", json={"email": "a@b.example", **body}
    )
    assert answer.status_code == 422


def test_a_subscriber_ends_only_their_own_subscription(api):
    mine = subscribe(api, "host.commander", email="commander@ops.example")
    assert api.delete(f"/api/v1/reports/subscriptions/{mine['id']}", "host.analyst").status_code == 404
    assert api.delete(f"/api/v1/reports/subscriptions/{mine['id']}", "host.commander").status_code == 204
    assert [s["active"] for s in api.get("/api/v1/reports/subscriptions", "host.commander").json()] == [False]
