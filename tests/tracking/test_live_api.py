"""A convoy reports over the OsmAnd protocol through the API; deviations, stops and silence become
exactly one alert each, visible in the API and the CAP feed (valid against the CAP 1.2 schema)."""

import time
from urllib.parse import urlencode

from lxml import etree

from tests.tracking.conftest import CAP_NS

SPEED_KMH = 60.0
KNOTS = 1.852


def report(api, device: str, t: float, lat: float, lon: float, speed_kmh: float = SPEED_KMH, **extra):
    params = {"id": device, "timestamp": int(t), "lat": f"{lat:.6f}", "lon": f"{lon:.6f}"}
    params |= {"speed": f"{speed_kmh / KNOTS:.2f}", "accuracy": 8} | extra
    return api.client.get(f"/osmand/?{urlencode(params)}")


def drive(api, convoy, start_t, seconds, from_km, north_km=0.0, speed=SPEED_KMH, every=30, escort=True):
    for s in range(0, seconds, every):
        km = from_km + s * speed / 3600
        lat, lon = convoy.point_at(km, north_km)
        assert report(api, convoy.protected, start_t + s, lat, lon, speed).status_code == 200
        if escort:
            lat, lon = convoy.point_at(max(km - 0.2, 0), north_km)
            assert report(api, convoy.escort, start_t + s, lat, lon, speed).status_code == 200
    return from_km + seconds * speed / 3600


def alerts_of(api, journey_id) -> list[dict]:
    response = api.get("/api/v1/alerts", "host.officer", params={"journey_id": journey_id, "limit": 100})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_osmand_reports_are_stored_and_answered_empty(tracking_api, convoy):
    lat, lon = convoy.point_at(1.0)
    response = report(tracking_api, convoy.protected, time.time(), lat, lon)
    assert response.status_code == 200 and response.content == b""
    positions = tracking_api.get("/api/v1/tracking/positions", "host.officer").json()
    mine = [p for p in positions if p["device"] == convoy.protected]
    assert mine and abs(mine[0]["lat"] - lat) < 1e-5
    assert mine[0]["journey_id"] == convoy.journey["id"]


def test_bad_reports_are_refused_and_harm_no_other(tracking_api, convoy):
    lat, lon = convoy.point_at(1.0)
    assert tracking_api.client.get("/osmand/?id=nobody-knows&lat=30&lon=67").status_code == 400
    assert tracking_api.client.get(f"/osmand/?id={convoy.protected}&lat=north&lon=67").status_code == 400
    assert tracking_api.client.get("/osmand/?lat=30&lon=67").status_code == 400
    assert report(tracking_api, convoy.protected, time.time(), lat, lon).status_code == 200


def test_a_device_reporting_too_often_is_told_to_wait_and_others_are_not(tracking_api, convoy, configure):
    configure(ping_rate_limit="3/minute")
    lat, lon = convoy.point_at(1.0)
    now = float(int(time.time()))  # reports carry whole seconds
    answers = [report(tracking_api, convoy.protected, now + k, lat, lon).status_code for k in range(3)]
    assert answers == [200, 200, 200]
    refused = report(tracking_api, convoy.protected, now + 3, lat, lon)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert report(tracking_api, convoy.escort, now + 3, lat, lon).status_code == 200
    track = tracking_api.get(f"/api/v1/journeys/{convoy.journey['id']}/track", "host.officer").json()
    assert sorted(round(p["t"] - now) for p in track) == [0, 1, 2, 3]  # the escort's at 3


def test_form_and_json_forms(tracking_api, convoy):
    lat, lon = convoy.point_at(2.0)
    form = tracking_api.client.post(
        "/osmand/",
        content=urlencode({"id": convoy.protected, "lat": lat, "lon": lon}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 200
    body = {
        "device_id": convoy.protected,
        "location": {"coords": {"latitude": lat, "longitude": lon, "speed": 16}},
    }
    assert tracking_api.client.post("/osmand/any/path", json=body).status_code == 200
    assert (
        tracking_api.client.post("/osmand/", json={"device_id": "nobody", "location": {}}).status_code == 404
    )


def test_a_deviation_a_stop_and_a_silence_each_raise_exactly_one_alert(
    tracking_api, convoy, live, cap_schema
):
    api, journey_id = tracking_api, convoy.journey["id"]
    t0 = time.time()
    km = drive(api, convoy, t0, 600, 0.5)
    assert alerts_of(api, journey_id) == []
    km = drive(api, convoy, t0 + 600, 600, km, north_km=1.5)  # ten minutes off the route
    km = drive(api, convoy, t0 + 1200, 300, km)
    kinds = [a["kind"] for a in alerts_of(api, journey_id)]
    assert kinds == ["deviation"]
    drive(api, convoy, t0 + 1500, 40 * 60, km, speed=0.0, every=60)  # stopped on the road for 40 minutes
    kinds = sorted(a["kind"] for a in alerts_of(api, journey_id))
    assert kinds == ["deviation", "stop"]
    live.tick(t0 + 1500 + 40 * 60 + 60 * 60)  # an hour without a word from either tracker
    found = alerts_of(api, journey_id)
    kinds = sorted(a["kind"] for a in found)
    assert kinds == ["deviation", "missed_checkin", "silence", "stop"]  # nobody checked in, either
    silence = next(a for a in found if a["kind"] == "silence")
    assert silence["repeats"] == 1  # both trackers went quiet: one alert for the journey
    live.tick(t0 + 1500 + 40 * 60 + 61 * 60)
    assert len(alerts_of(api, journey_id)) == len(kinds)

    deviation = next(a for a in alerts_of(api, journey_id) if a["kind"] == "deviation")
    detail = api.get(f"/api/v1/alerts/{deviation['id']}", "host.officer").json()
    assert detail["evidence"] and detail["evidence"][0]["device"] == convoy.protected
    assert "off its planned route" in detail["message"]

    feed = api.get("/api/v1/alerts/cap", "host.officer")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    document = etree.fromstring(feed.content)
    messages = document.findall(f".//{{{CAP_NS}}}alert")
    assert len(messages) >= 4
    for message in messages:
        assert cap_schema.validate(message), cap_schema.error_log
    ours = [m for m in messages if deviation["id"] in m.findtext(f"{{{CAP_NS}}}identifier")]
    assert ours and ours[0].findtext(f"{{{CAP_NS}}}msgType") == "Alert"
