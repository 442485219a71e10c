"""The field page's SOS loop and check-in, JSON batches (all or nothing), device registry rules."""

import re
import time

import cachetools

from jsms.alerts.tasks import run_once
from jsms.core.db import unit_of_work, utcnow
from jsms.tracking.service import TRACKING
from tests.web.conftest import Browser


def field_phone(api, convoy):
    """Sign in the protected vehicle's device on the field page, as its phone would."""
    device = api.first("/api/v1/devices", q=convoy.protected)
    browser = Browser(api.client)
    web = api.client
    assert browser.sign_in("host.officer").status_code == 303
    made = web.post(f"/devices/{device['id']}/field-link", data={"csrf_token": browser.csrf()})
    assert made.status_code == 200, made.text
    link = re.search(r'value="(http[^"]+/field\?[^"]+)"', made.text).group(1).replace("&amp;", "&")
    web.cookies.clear()
    opened = web.get(link.split("testserver", 1)[1], follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/field"
    page = web.get("/field")
    assert page.status_code == 200 and "SOS" in page.text
    return web, web.cookies.get("jsms_csrf") or re.search(r'data-csrf="([^"]+)"', page.text).group(1)


def test_sos_from_the_field_page_is_received_acknowledged_and_escalates_meanwhile(tracking_api, convoy):
    phone, csrf = field_phone(tracking_api, convoy)
    headers = {"X-CSRF-Token": csrf}
    assert phone.get("/field/status").json()["sos"]["state"] == "none"
    lat, lon = convoy.point_at(3.0)
    sent = phone.post("/field/sos", json={"lat": lat, "lon": lon}, headers=headers)
    assert sent.status_code == 200, sent.text
    status = phone.get("/field/status").json()["sos"]
    assert status["state"] == "open" and status["tier"] == 1
    assert phone.post("/field/sos", json={"lat": lat, "lon": lon}, headers=headers).status_code == 200
    alerts = tracking_api.get("/api/v1/alerts", "host.officer", params={"kind": "sos"}).json()["items"]
    assert len(alerts) == 1 and alerts[0]["severity"] == "extreme" and alerts[0]["repeats"] == 1
    with unit_of_work(TRACKING) as session:  # nobody answers for three minutes
        from datetime import timedelta

        run_once(session, utcnow() + timedelta(minutes=3))
    assert phone.get("/field/status").json()["sos"]["tier"] == 2
    ack = tracking_api.post(f"/api/v1/alerts/{alerts[0]['id']}/acknowledge", "host.officer")
    assert ack.status_code == 200
    status = phone.get("/field/status").json()["sos"]
    assert status["state"] == "acknowledged" and status["acknowledged_by"] == "host.officer"


def test_field_checkin_counts_for_the_journey(tracking_api, convoy):
    phone, csrf = field_phone(tracking_api, convoy)
    checked = phone.post("/field/checkin", json={}, headers={"X-CSRF-Token": csrf})
    assert checked.status_code == 200, checked.text
    assert "checked_in_at" in checked.json()


def test_the_field_page_needs_its_link(tracking_api):
    web = tracking_api.client
    web.cookies.clear()
    assert web.get("/field?device=nobody&token=guess").status_code == 401
    assert web.get("/field/status").status_code == 401


def test_a_batch_is_stored_whole_or_not_at_all(tracking_api, convoy):
    lat, lon = convoy.point_at(5.0)
    now = time.time()
    good = {"device": convoy.protected, "t": now, "lat": lat, "lon": lon, "speed_kmh": 50}
    bad = {"device": convoy.escort, "t": now, "lat": "north", "lon": lon}
    refused = tracking_api.post("/api/v1/tracking/pings", "host.officer", json={"pings": [good, bad]})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "pings", 1]
    unknown = tracking_api.post(
        "/api/v1/tracking/pings", "host.officer", json={"pings": [good, {**good, "device": "who-is-this"}]}
    )
    assert unknown.status_code == 422 and "who-is-this" in unknown.text
    track = tracking_api.get(f"/api/v1/journeys/{convoy.journey['id']}/track", "host.officer").json()
    assert track == []
    accepted = tracking_api.post("/api/v1/tracking/pings", "host.officer", json={"pings": [good] * 3})
    assert accepted.status_code == 200 and accepted.json() == {"accepted": 3}
    track = tracking_api.get(f"/api/v1/journeys/{convoy.journey['id']}/track", "host.officer").json()
    assert len(track) == 3
    assert (
        tracking_api.post("/api/v1/tracking/pings", "partner.liaison", json={"pings": [good]}).status_code
        == 403
    )
    assert tracking_api.post("/api/v1/tracking/pings", None, json={"pings": [good]}).status_code == 401


def test_a_sender_of_too_many_batches_is_told_to_wait(tracking_api, convoy, configure):
    configure(ping_batch_rate_limit="2/minute")
    lat, lon = convoy.point_at(5.0)
    ping = {"device": convoy.protected, "t": time.time(), "lat": lat, "lon": lon}
    sent = [
        tracking_api.post("/api/v1/tracking/pings", "host.officer", json={"pings": [ping]}) for _ in range(3)
    ]
    assert [r.status_code for r in sent] == [200, 200, 429]
    assert int(sent[2].headers["retry-after"]) >= 1
    track = tracking_api.get(f"/api/v1/journeys/{convoy.journey['id']}/track", "host.officer").json()
    assert len(track) == 2


def test_a_gateways_grant_to_ingest_is_read_again_after_a_few_seconds(tracking_api, convoy, monkeypatch):
    from sqlalchemy import update

    from jsms.core.models import User
    from jsms.tracking import api

    clock = [0.0]
    grants = cachetools.TTLCache(16, ttl=api.INGEST_GRANT_SECONDS, timer=lambda: clock[0])
    monkeypatch.setattr(api, "_ingest_grants", grants)
    lat, lon = convoy.point_at(5.0)
    batch = {"pings": [{"device": convoy.protected, "t": time.time(), "lat": lat, "lon": lon}]}
    assert tracking_api.post("/api/v1/tracking/pings", "host.officer", json=batch).status_code == 200
    with unit_of_work(TRACKING) as session:
        session.execute(update(User).where(User.username == "host.officer").values(active=False))
    assert tracking_api.post("/api/v1/tracking/pings", "host.officer", json=batch).status_code == 200
    clock[0] += api.INGEST_GRANT_SECONDS + 0.1
    assert tracking_api.post("/api/v1/tracking/pings", "host.officer", json=batch).status_code == 401


def test_reading_a_track_is_audited(tracking_api, convoy):
    journey_id = convoy.journey["id"]
    tracking_api.get(f"/api/v1/journeys/{journey_id}/track", "host.analyst")
    audit = tracking_api.get(
        "/api/v1/audit/records", "auditor", params={"action": "track.read", "limit": 5}
    ).json()
    assert any(r["object_id"] == journey_id and r["actor"] == "host.analyst" for r in audit["items"])


def test_a_device_token_must_then_be_sent(tracking_api, convoy):
    device = tracking_api.first("/api/v1/devices", q=convoy.escort)
    issued = tracking_api.post(f"/api/v1/devices/{device['id']}/token", "host.officer")
    token = issued.json()["token"]
    lat, lon = convoy.point_at(1.0)
    base = f"/osmand/?id={convoy.escort}&lat={lat}&lon={lon}"
    assert tracking_api.client.get(base).status_code == 401
    assert tracking_api.client.get(f"{base}&token=wrong").status_code == 401
    assert tracking_api.client.get(f"{base}&token={token}").status_code == 200
    own = {"pings": [{"device": convoy.escort, "lat": lat, "lon": lon}]}
    other = {"pings": [{"device": convoy.protected, "lat": lat, "lon": lon}]}
    post = tracking_api.client.post
    assert post("/api/v1/tracking/pings", json=own, headers={"X-JSMS-Device-Token": token}).status_code == 200
    assert (
        post("/api/v1/tracking/pings", json=other, headers={"X-JSMS-Device-Token": token}).status_code == 403
    )


def test_devices_need_a_consenting_person_or_a_vehicle(tracking_api):
    persons = tracking_api.get("/api/v1/persons", "host.officer", params={"limit": 200}).json()["items"]
    unwilling = next((p for p in persons if not p.get("consent_to_tracking")), None)
    base = {"identifier": "phone-0001", "label": "Phone", "kind": "phone"}
    if unwilling is not None:
        refused = tracking_api.post(
            "/api/v1/devices", "host.officer", json={**base, "person_id": unwilling["id"]}
        )
        assert refused.status_code == 422 and "consented" in refused.text
    neither = tracking_api.post("/api/v1/devices", "host.officer", json=base)
    assert neither.status_code == 422
    bad_id = tracking_api.post("/api/v1/devices", "host.officer", json={**base, "identifier": "a b"})
    assert bad_id.status_code == 422
    assert tracking_api.post("/api/v1/devices", "partner.liaison", json=base).status_code == 403
