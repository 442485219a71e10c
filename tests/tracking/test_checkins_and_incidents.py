"""Operators' check-ins through the API, and verified incidents near a convoy's route ahead."""

from datetime import UTC, datetime, timedelta

from jsms.core.events import dispatch_pending


def test_an_operator_records_a_check_in_and_it_is_listed(tracking_api, convoy):
    api, journey_id = tracking_api, convoy.journey["id"]
    lat, lon = convoy.point_at(12.0)
    made = api.post(
        f"/api/v1/journeys/{journey_id}/checkins",
        "host.officer",
        json={"method": "field", "lat": lat, "lon": lon, "note": "NORTH-6 on the radio: all well"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["method"] == "operator" and made.json()["by"] == "host.officer"
    listed = api.get(f"/api/v1/journeys/{journey_id}/checkins", "host.officer")
    assert [c["note"] for c in listed.json()] == ["NORTH-6 on the radio: all well"]


def test_check_ins_are_refused_when_bad_forbidden_or_not_under_way(tracking_api, convoy):
    api, journey_id = tracking_api, convoy.journey["id"]
    bad = api.post(f"/api/v1/journeys/{journey_id}/checkins", "host.officer", json={"lat": 123})
    assert bad.status_code == 422 and "lat" in bad.text
    partner = api.post(f"/api/v1/journeys/{journey_id}/checkins", "partner.liaison", json={})
    assert partner.status_code in (403, 404)
    draft = api.first("/api/v1/journeys", status="draft")
    assert api.post(f"/api/v1/journeys/{draft['id']}/checkins", "host.officer", json={}).status_code == 409
    assert api.get(f"/api/v1/journeys/{journey_id}/checkins", "host.officer").json() == []


def _incident(api, convoy, occurred_at: datetime, title: str = "IED found beside the highway") -> dict:
    lat, lon = convoy.point_at(25.0, north_km=1.0)  # beside the road, ahead of the convoy
    incident = api.post(
        "/api/v1/incidents",
        "host.officer",
        json={
            "title": title,
            "occurred_at": occurred_at.isoformat(),
            "lat": lat,
            "lon": lon,
            "place_name": "Highway ahead of the convoy",
            "kind": "ied",
            "target_category": "convoy",
            "killed": 0,
            "injured": 0,
        },
    )
    assert incident.status_code == 201, incident.text
    assert api.post(f"/api/v1/incidents/{incident.json()['id']}/verify", "host.analyst").status_code == 200
    dispatch_pending()
    return incident.json()


def near_alerts(api, journey_id) -> list[dict]:
    found = api.get("/api/v1/alerts", "host.officer", params={"journey_id": journey_id, "limit": 100})
    return [a for a in found.json()["items"] if a["kind"] == "incident_near"]


def test_a_fresh_incident_on_the_route_ahead_raises_one_alert_and_old_history_none(tracking_api, convoy):
    api, journey_id = tracking_api, convoy.journey["id"]
    dispatch_pending()
    _incident(api, convoy, datetime.now(UTC) - timedelta(days=400), "Roadside bomb of last year")
    assert near_alerts(api, journey_id) == []
    fresh = _incident(api, convoy, datetime.now(UTC) - timedelta(minutes=20))
    found = near_alerts(api, journey_id)
    assert len(found) == 1 and found[0]["params"]["incident"] == fresh["title"]
    assert 0.5 < found[0]["params"]["distance_km"] < 2.0
    dispatch_pending()
    assert len(near_alerts(api, journey_id)) == 1
