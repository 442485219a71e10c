"""Alerts through the API: acknowledge, resolve, escalate, who may do what, who sees what, and the
channels: a signed webhook and an e-mail through a real SMTP server."""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from lxml import etree
from sqlalchemy import select

from jsms.alerts import service
from jsms.alerts.tasks import run_once
from jsms.core.db import unit_of_work, utcnow
from jsms.core.models import ReleaseRecord
from jsms.tracking.service import TRACKING
from tests.support.server import free_port
from tests.tracking.conftest import CAP_NS

SECRET = "a-webhook-secret-of-some-length"


def raise_one(kind="deviation", tlp="amber", release_to=(), severity="severe", key=None) -> str:
    now = utcnow()
    draft = service.AlertDraft(
        kind=kind,
        severity=severity,
        key=key or f"test:{kind}:{time.time_ns()}",
        group_key=f"test:{kind}:{time.time_ns()}",
        subject_type="journey",
        subject_id="j-test",
        subject_label="Gwadar port → New Gwadar airport",
        raised_at=now,
        params={"journey": "Gwadar port → New Gwadar airport", "distance_m": 850},
        evidence=[{"device": "tracker-1", "t": now.timestamp(), "lat": 25.12, "lon": 62.33}],
        lat=25.12,
        lon=62.33,
        tlp=tlp,
        release_to=list(release_to),
    )
    with unit_of_work(TRACKING) as session:
        return str(service.raise_alert(session, draft, now).id)


def test_acknowledge_then_resolve_with_who_and_when(api):
    alert_id = raise_one()
    ack = api.post(f"/api/v1/alerts/{alert_id}/acknowledge", "host.officer", json={"note": "QRF informed"})
    assert ack.status_code == 200, ack.text
    body = ack.json()
    assert body["status"] == "acknowledged" and body["acknowledged_by"] == "host.officer"
    assert body["escalate_at"] is None
    assert api.post(f"/api/v1/alerts/{alert_id}/acknowledge", "host.officer").status_code == 409
    assert (
        api.post(f"/api/v1/alerts/{alert_id}/resolve", "host.officer", json={"note": ""}).status_code == 422
    )
    done = api.post(
        f"/api/v1/alerts/{alert_id}/resolve", "host.commander", json={"note": "Convoy back on route"}
    )
    assert done.status_code == 200
    assert [e["action"] for e in done.json()["events"]] == ["raised", "acknowledged", "resolved"]
    cap = api.get(f"/api/v1/alerts/{alert_id}/cap", "host.officer")
    message = etree.fromstring(cap.content)
    assert message.findtext(f"{{{CAP_NS}}}msgType") == "Cancel"
    assert message.findtext(f"{{{CAP_NS}}}references").count(",") == 2


def test_partner_sees_what_its_marking_releases_and_never_acknowledges(api):
    shared = raise_one(tlp="amber")
    withheld = raise_one(tlp="red")
    seen = {
        a["id"] for a in api.get("/api/v1/alerts", "partner.liaison", params={"limit": 500}).json()["items"]
    }
    assert shared in seen and withheld not in seen
    assert api.get(f"/api/v1/alerts/{withheld}", "partner.liaison").status_code == 404
    assert api.get(f"/api/v1/alerts/{withheld}/cap", "partner.liaison").status_code == 404
    assert withheld.encode() not in api.get("/api/v1/alerts/cap", "partner.liaison").content
    assert api.post(f"/api/v1/alerts/{shared}/acknowledge", "partner.liaison").status_code == 403
    assert api.get("/api/v1/alerts", None).status_code == 401
    assert api.get("/api/v1/alerts", "jwg.secretary").status_code == 403


def test_a_company_sees_only_alerts_about_its_own_journeys(api):
    theirs = raise_one()
    seen = {
        a["id"] for a in api.get("/api/v1/alerts", "company.security", params={"limit": 500}).json()["items"]
    }
    assert theirs not in seen  # no organisation: not the company's


def test_an_unacknowledged_alert_escalates_tier_by_tier(api):
    alert_id = raise_one(severity="extreme")
    with unit_of_work(TRACKING) as session:
        run_once(session, utcnow() + timedelta(minutes=1))
    assert api.get(f"/api/v1/alerts/{alert_id}", "host.officer").json()["tier"] == 1
    with unit_of_work(TRACKING) as session:
        run_once(session, utcnow() + timedelta(minutes=3))
    assert api.get(f"/api/v1/alerts/{alert_id}", "host.officer").json()["tier"] == 2
    with unit_of_work(TRACKING) as session:
        run_once(session, utcnow() + timedelta(minutes=6))
    detail = api.get(f"/api/v1/alerts/{alert_id}", "host.officer").json()
    assert detail["tier"] == 3 and [e["action"] for e in detail["events"]].count("escalated") == 2


def test_the_same_finding_twice_raises_once_and_repeats_fold(api):
    key = f"test:replay:{time.time_ns()}"
    first = raise_one(key=key)
    now = utcnow()
    with unit_of_work(TRACKING) as session:
        assert (
            service.raise_alert(
                session,
                service.AlertDraft(
                    kind="deviation",
                    severity="severe",
                    key=key,
                    group_key="other",
                    subject_type="journey",
                    subject_id="x",
                    subject_label="x",
                    raised_at=now,
                ),
                now,
            )
            is None
        )
    assert api.get(f"/api/v1/alerts/{first}", "host.officer").json()["repeats"] == 0


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_receiver():
    server = HTTPServer(("127.0.0.1", free_port()), _Hook)
    _Hook.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_a_webhook_receives_the_alert_signed(api, webhook_receiver):
    made = api.post(
        "/api/v1/alert-channels",
        "host.commander",
        json={
            "name": "Ops bridge",
            "kind": "webhook",
            "target": webhook_receiver,
            "secret": SECRET,
            "min_severity": "severe",
            "language": "zh",
        },
    )
    assert made.status_code == 201, made.text
    assert "secret" not in made.json()
    alert_id = raise_one(severity="severe")
    raise_one(severity="minor")  # below the channel's threshold
    with unit_of_work(TRACKING) as session:
        run_once(session)
    assert len(_Hook.received) == 1
    headers, body = _Hook.received[0]
    expected = hmac.new(SECRET.encode(), headers["X-JSMS-Timestamp"].encode() + b"." + body, hashlib.sha256)
    assert headers["X-JSMS-Signature"] == f"sha256={expected.hexdigest()}"
    payload = json.loads(body)
    assert payload["id"] == alert_id and payload["action"] == "raised"
    assert "偏离计划路线" in payload["message"]


def test_a_channel_to_the_partners_people_gets_only_what_its_marking_releases(api, webhook_receiver):
    """An e-mail or webhook is a way out like any other: the same marking decision, logged."""
    made = api.post(
        "/api/v1/alert-channels",
        "host.commander",
        json={"name": "Consulate desk", "kind": "webhook", "target": webhook_receiver, "audience": "partner"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["audience"] == "partner"
    amber = raise_one(tlp="amber")
    red = raise_one(tlp="red")
    host_only = raise_one(tlp="amber", release_to=["host"])
    red_named = raise_one(tlp="red", release_to=["partner"])
    with unit_of_work(TRACKING) as session:
        run_once(session)
        logged = session.execute(
            select(ReleaseRecord.object_id, ReleaseRecord.channel, ReleaseRecord.audience).where(
                ReleaseRecord.object_type == "alert"
            )
        ).all()
    sent = {json.loads(body)["id"] for _, body in _Hook.received}
    assert sent == {amber, red_named} and not sent & {red, host_only}
    assert {(str(i), c, a) for i, c, a in logged} == {
        (amber, "webhook", "partner"),
        (red_named, "webhook", "partner"),
    }


def test_channels_are_validated_and_only_for_the_commander(api):
    bad = api.post(
        "/api/v1/alert-channels",
        "host.commander",
        json={"name": "x", "kind": "email", "target": "not an address"},
    )
    assert bad.status_code == 422
    unknown = api.post(
        "/api/v1/alert-channels",
        "host.commander",
        json={"name": "x", "kind": "email", "target": "ops@example.org", "kinds": ["flood"]},
    )
    assert unknown.status_code == 422 and "flood" in unknown.text
    denied = api.post(
        "/api/v1/alert-channels",
        "host.officer",
        json={"name": "x", "kind": "email", "target": "ops@example.org"},
    )
    assert denied.status_code == 403


def test_an_email_goes_through_a_real_smtp_server(api, smtp_inbox):
    api.post(
        "/api/v1/alert-channels",
        "host.commander",
        json={"name": "Duty officer", "kind": "email", "target": "duty@ops.example", "language": "ur"},
    )
    raise_one(severity="moderate")
    with unit_of_work(TRACKING) as session:
        run_once(session)
    assert len(smtp_inbox) == 1
    text = smtp_inbox[0].content.decode("utf-8", "replace")
    assert "duty@ops.example" in smtp_inbox[0].rcpt_tos
    assert "TLP:AMBER" in text
