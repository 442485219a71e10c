"""Roll call: a verified incident lists every protected person near it (by a convoy's last report,
by its route, by their site), and they are accounted for by check-in or by an operator."""

import time
from datetime import UTC, datetime, timedelta

from jsms.core.events import dispatch_pending
from tests.tracking.test_field_and_batches import field_phone
from tests.tracking.test_live_api import report
from tests.web.conftest import Browser, text_of


def verified_incident(
    api, lat: float, lon: float, ago: timedelta = timedelta(minutes=15), verify: bool = True
) -> dict:
    created = api.post(
        "/api/v1/incidents",
        "host.officer",
        json={
            "title": "Gunmen fired on a checkpoint",
            "occurred_at": (datetime.now(UTC) - ago).isoformat(),
            "lat": lat,
            "lon": lon,
            "place_name": "Checkpoint on the highway",
            "kind": "armed_attack",
            "target_category": "security_forces",
            "killed": 1,
            "injured": 2,
        },
    )
    assert created.status_code == 201, created.text
    if verify:
        assert api.post(f"/api/v1/incidents/{created.json()['id']}/verify", "host.analyst").status_code == 200
    dispatch_pending()
    return created.json()


def roll_call_of(api, incident: dict, as_user: str = "host.officer") -> dict:
    listed = api.get("/api/v1/rollcalls", as_user).json()
    ours = [r for r in listed if r["incident_id"] == incident["id"]]
    assert len(ours) == 1, listed
    detail = api.get(f"/api/v1/rollcalls/{ours[0]['id']}", as_user)
    assert detail.status_code == 200, detail.text
    return detail.json()


def incident_beside(api, convoy, km: float) -> dict:
    """The convoy's tracker reports at `km`; then an incident two kilometres north of it."""
    lat, lon = convoy.point_at(km)
    assert report(api, convoy.protected, time.time(), lat, lon).status_code == 200
    lat, lon = convoy.point_at(km, north_km=2.0)
    return verified_incident(api, lat, lon)


def test_a_convoy_near_an_incident_is_on_its_roll_call_until_all_are_accounted_for(tracking_api, convoy):
    api = tracking_api
    dispatch_pending()
    incident = incident_beside(api, convoy, 60.0)
    roll_call = roll_call_of(api, incident)
    travelling = {str(p) for p in convoy.journey["person_ids"]}
    on_journey = [e for e in roll_call["entries"] if e["found_by"] == "journey"]
    assert {e["person_id"] for e in on_journey} == travelling
    assert all(1.5 < e["distance_km"] < 2.5 for e in on_journey)
    assert roll_call["status"] == "open" and roll_call["unaccounted"] == roll_call["persons"]

    first = sorted(travelling)[0]
    marked = api.post(
        f"/api/v1/rollcalls/{roll_call['id']}/account",
        "host.officer",
        json={"person_ids": [first], "note": "Convoy commander confirmed by radio"},
    )
    assert marked.status_code == 200, marked.text
    entry = next(e for e in marked.json()["entries"] if e["person_id"] == first)
    assert entry["accounted_how"] == "operator" and entry["accounted_by"] == "host.officer"
    assert marked.json()["unaccounted"] == roll_call["persons"] - 1

    phone, csrf = field_phone(api, convoy)  # the armoured vehicle's phone checks in for its passengers
    assert phone.post("/field/checkin", json={}, headers={"X-CSRF-Token": csrf}).status_code == 200
    after = roll_call_of(api, incident)
    by_checkin = {e["person_id"] for e in after["entries"] if e["accounted_how"] == "checkin"}
    assert by_checkin == travelling - {first}

    rest = [e["person_id"] for e in after["entries"] if e["accounted_at"] is None]
    if rest:  # staff of sites within the radius
        assert all(e["found_by"] == "site" for e in after["entries"] if e["person_id"] in rest)
        done = api.post(
            f"/api/v1/rollcalls/{roll_call['id']}/account", "host.officer", json={"person_ids": rest}
        )
        assert done.status_code == 200
    final = roll_call_of(api, incident)
    assert final["status"] == "complete" and final["unaccounted"] == 0 and final["completed_at"]


def test_staff_of_a_site_near_an_incident_are_listed_by_their_site(tracking_api):
    api = tracking_api
    dispatch_pending()
    incident = verified_incident(api, 25.1300, 62.3350)  # in Gwadar, between the port and its camp
    roll_call = roll_call_of(api, incident)
    assert roll_call["persons"] > 10 and {e["found_by"] for e in roll_call["entries"]} == {"site"}
    assert all(e["distance_km"] <= 10 for e in roll_call["entries"])
    wider = api.post(
        "/api/v1/rollcalls", "host.officer", json={"incident_id": incident["id"], "radius_km": 40}
    )
    assert wider.status_code == 201, wider.text
    assert wider.json()["persons"] > roll_call["persons"]  # the airport and the free zone come in
    assert wider.json()["radius_km"] == 40


def test_who_sees_a_roll_call_and_who_may_mark_it(tracking_api, convoy):
    api = tracking_api
    dispatch_pending()
    incident = incident_beside(api, convoy, 60.0)
    roll_call = roll_call_of(api, incident)
    seen = roll_call_of(api, incident, "partner.liaison")  # the partner's nationals, all of them
    assert {e["person_id"] for e in seen["entries"]} == {e["person_id"] for e in roll_call["entries"]}
    refused = api.post(
        f"/api/v1/rollcalls/{roll_call['id']}/account",
        "partner.liaison",
        json={"person_ids": [roll_call["entries"][0]["person_id"]]},
    )
    assert refused.status_code == 403
    assert api.get(f"/api/v1/rollcalls/{roll_call['id']}", "company.security").status_code == 404  # AMBER
    assert api.get("/api/v1/rollcalls", "jwg.secretary").status_code == 403
    assert roll_call_of(api, incident)["unaccounted"] == roll_call["persons"]


def test_bad_roll_call_input_is_refused_and_changes_nothing(tracking_api, convoy):
    api = tracking_api
    dispatch_pending()
    incident = incident_beside(api, convoy, 60.0)
    roll_call = roll_call_of(api, incident)
    known = roll_call["entries"][0]["person_id"]
    stranger = "00000000-0000-4000-8000-000000000001"
    mixed = api.post(
        f"/api/v1/rollcalls/{roll_call['id']}/account", "host.officer", json={"person_ids": [known, stranger]}
    )
    assert mixed.status_code == 422 and stranger in mixed.text
    assert roll_call_of(api, incident)["unaccounted"] == roll_call["persons"]  # not even the known one
    empty = api.post(f"/api/v1/rollcalls/{roll_call['id']}/account", "host.officer", json={"person_ids": []})
    assert empty.status_code == 422
    zero = api.post("/api/v1/rollcalls", "host.officer", json={"incident_id": incident["id"], "radius_km": 0})
    assert zero.status_code == 422 and "radius_km" in zero.text
    draft = verified_incident(api, 33.7, 73.1, verify=False)
    assert api.post("/api/v1/rollcalls", "host.officer", json={"incident_id": draft["id"]}).status_code == 409


def test_last_years_incident_opens_no_roll_call(tracking_api, convoy):
    api = tracking_api
    dispatch_pending()
    lat, lon = convoy.point_at(60.0, north_km=2.0)
    incident = verified_incident(api, lat, lon, ago=timedelta(days=365))
    assert [
        r for r in api.get("/api/v1/rollcalls", "host.officer").json() if r["incident_id"] == incident["id"]
    ] == []


def test_the_roll_call_page_lists_persons_and_marks_them_accounted_for(tracking_api, convoy):
    api = tracking_api
    dispatch_pending()
    incident = incident_beside(api, convoy, 60.0)
    roll_call = roll_call_of(api, incident)
    browser = Browser(api.client)
    api.client.cookies.clear()
    assert browser.sign_in("host.officer").status_code == 303
    listing = browser.get("/rollcalls")
    assert listing.status_code == 200 and incident["title"] in listing.text
    page = browser.get(f"/rollcalls/{roll_call['id']}")
    assert page.status_code == 200 and page.text.count('name="person_ids"') == roll_call["persons"]
    chosen = [e["person_id"] for e in roll_call["entries"][:2]]
    marked = api.client.post(
        f"/rollcalls/{roll_call['id']}/account",
        data={"person_ids": chosen, "note": "Seen at the checkpoint", "csrf_token": browser.csrf()},
        follow_redirects=False,
    )
    assert marked.status_code == 303, marked.text
    after = roll_call_of(api, incident)
    assert after["unaccounted"] == roll_call["persons"] - 2
    assert {e["note"] for e in after["entries"] if e["person_id"] in chosen} == {"Seen at the checkpoint"}
    nothing = api.client.post(
        f"/rollcalls/{roll_call['id']}/account", data={"csrf_token": browser.csrf()}, follow_redirects=False
    )
    assert (
        nothing.status_code in (400, 422)
        and roll_call_of(api, incident)["unaccounted"] == after["unaccounted"]
    )
    browser.language("zh")
    assert "点名" in text_of(browser.get(f"/rollcalls/{roll_call['id']}").text)


def test_only_operations_open_a_roll_call_by_hand(tracking_api, convoy):
    api = tracking_api
    dispatch_pending()
    incident = incident_beside(api, convoy, 60.0)
    body = {"incident_id": incident["id"], "radius_km": 30}
    for user in ("partner.liaison", "host.analyst", "company.security", "auditor"):
        assert api.post("/api/v1/rollcalls", user, json=body).status_code == 403, user
    assert roll_call_of(api, incident)["radius_km"] == 10
    assert api.post("/api/v1/rollcalls", "host.officer", json=body).status_code == 201
