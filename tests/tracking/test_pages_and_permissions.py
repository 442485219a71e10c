"""Pages of tracking and alerts as users see them, who may open what, and bad input to the field page."""

import time

from tests.tracking.test_field_and_batches import field_phone
from tests.tracking.test_live_api import report
from tests.web.conftest import Browser


def test_live_map_alerts_and_devices_pages(tracking_api, convoy):
    lat, lon = convoy.point_at(1.0)
    assert report(tracking_api, convoy.protected, time.time(), lat, lon, alarm="sos").status_code == 200
    browser = Browser(tracking_api.client)
    assert browser.sign_in("host.officer", language="zh").status_code == 303
    live = browser.get("/live")
    assert live.status_code == 200 and "实时行动态势" in live.text and "/api/v1/live" in live.text
    journeys = browser.get("/live/journeys.json").json()
    assert convoy.journey["id"] in {f["properties"]["id"] for f in journeys["features"]}
    assert convoy.protected in {p["device"] for p in journeys["positions"]}
    panel = browser.get("/alerts/panel")
    assert panel.status_code == 200 and "求救" in panel.text
    listed = browser.get("/alerts")
    assert listed.status_code == 200 and "求救" in listed.text
    alert_id = tracking_api.first("/api/v1/alerts", "host.officer", kind="sos")["id"]
    detail = browser.get(f"/alerts/{alert_id}")
    assert detail.status_code == 200 and convoy.protected in detail.text and "确认接收" in detail.text
    acknowledged = browser.post(f"/alerts/{alert_id}/acknowledge", {"note": "收到"})
    assert acknowledged.status_code == 303
    assert tracking_api.get(f"/api/v1/alerts/{alert_id}", "host.officer").json()["status"] == "acknowledged"
    devices = browser.get("/devices")
    assert devices.status_code == 200 and convoy.protected in devices.text


def test_who_may_open_the_tracking_pages(tracking_api, convoy):
    browser = Browser(tracking_api.client)
    browser.sign_in("jwg.secretary")
    assert browser.get("/live").status_code == 403
    assert browser.get("/alerts").status_code == 403
    assert browser.get("/devices").status_code == 403
    tracking_api.client.cookies.clear()
    assert browser.get("/live").status_code == 303  # to the sign-in page


def test_live_stream_needs_a_user_who_may_read_alerts(tracking_api):
    assert tracking_api.client.get("/api/v1/live").status_code == 401
    assert tracking_api.get("/api/v1/live", "jwg.secretary").status_code == 403


def test_device_registry_permissions(tracking_api, convoy):
    device = tracking_api.first("/api/v1/devices", q=convoy.protected)
    assert tracking_api.get("/api/v1/devices", "partner.liaison").status_code == 403
    assert tracking_api.get(f"/api/v1/devices/{device['id']}", "partner.liaison").status_code == 403
    assert tracking_api.post(f"/api/v1/devices/{device['id']}/token", "partner.liaison").status_code == 403
    assert tracking_api.post(f"/api/v1/devices/{device['id']}/token", "host.analyst").status_code == 403
    assert tracking_api.get("/api/v1/tracking/positions", "jwg.secretary").status_code == 403
    assert (
        tracking_api.get(f"/api/v1/journeys/{convoy.journey['id']}/track", "jwg.secretary").status_code == 403
    )


def test_alert_list_filters_are_validated(tracking_api):
    response = tracking_api.get("/api/v1/alerts", "host.officer", params={"severity": "catastrophic"})
    assert response.status_code == 422 and "severity" in response.text


def test_the_field_page_refuses_a_bad_position(tracking_api, convoy):
    phone, csrf = field_phone(tracking_api, convoy)
    headers = {"X-CSRF-Token": csrf, "Content-Type": "application/json"}
    assert phone.post("/field/ping", content='{"lat": 100, "lon": 67}', headers=headers).status_code == 422
    assert phone.post("/field/ping", content='{"lat": 30}', headers=headers).status_code == 422
    assert phone.post("/field/sos", content="not json", headers=headers).status_code == 422
    assert phone.get("/field/status").json()["sos"]["state"] == "none"  # nothing was raised
    assert phone.post("/field/ping", content="{}", headers=headers).status_code == 200
    assert (
        phone.post("/field/ping", content="{}", headers={"Content-Type": "application/json"}).status_code
        == 403
    )
