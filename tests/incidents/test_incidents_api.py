"""Incidents through the HTTP API: draft → verified → closed or rejected; markings; investigations."""

import pytest
from sqlalchemy import select

from jsms.core.events import OutboxEvent

FIELD_REPORT = {
    "title": "IED found on the coastal highway near Ormara",
    "occurred_at": "2026-11-20T04:30:00+05:00",
    "time_precision": "time",
    "lat": 25.21,
    "lon": 64.64,
    "place_name": "Ormara",
    "kind": "ied",
    "target_category": "convoy",
    "protected_nationality_targeted": True,
    "killed": 0,
    "injured": 1,
    "sources": [{"title": "Field report SPU-B 112", "publisher": "SPU Balochistan"}],
}


def events(connection, name: str) -> list[dict]:
    rows = connection.execute(select(OutboxEvent.payload).where(OutboxEvent.name == name)).scalars()
    return list(rows)


def test_a_field_report_becomes_a_located_draft(api):
    response = api.post("/api/v1/incidents", "host.officer", json=FIELD_REPORT)
    assert response.status_code == 201, response.text
    incident = response.json()
    assert incident["state"] == "draft" and incident["province"] == "PK-BA"
    assert incident["occurred_at"] == "2026-11-19T23:30:00Z"
    assert incident["marking"]["tlp"] == "amber" and incident["sources"][0]["title"].startswith(
        "Field report"
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"killed": 1, "killed_protected": 2}, None),
        ({"lat": 34.53, "lon": 69.17}, "lat"),
        ({"kind": "drone_strike"}, "kind"),
        ({"occurred_at": "2026-11-20T04:30:00"}, "occurred_at"),
    ],
)
def test_bad_incidents_are_refused_naming_the_problem(api, change, field):
    response = api.post("/api/v1/incidents", "host.officer", json={**FIELD_REPORT, **change})
    assert response.status_code == 422, response.text
    if field:
        assert any(field in e["loc"] for e in response.json()["errors"])


def test_verification_emits_an_event_and_only_the_right_roles_verify(api, connection):
    incident = api.post("/api/v1/incidents", "host.officer", json=FIELD_REPORT).json()
    url = f"/api/v1/incidents/{incident['id']}"
    assert api.post(f"{url}/verify", "host.officer").status_code == 403
    assert api.post(f"{url}/verify", "partner.liaison").status_code == 403
    verified = api.post(f"{url}/verify", "host.analyst")
    assert verified.status_code == 200 and verified.json()["state"] == "verified"
    assert verified.json()["verified_by"] == "host.analyst"
    assert incident["id"] in {e["id"] for e in events(connection, "incident.verified")}
    assert api.post(f"{url}/verify", "host.analyst").status_code == 409


def test_rejecting_a_verified_incident_withdraws_it(api, connection):
    incident = api.post("/api/v1/incidents", "host.officer", json=FIELD_REPORT).json()
    url = f"/api/v1/incidents/{incident['id']}"
    api.post(f"{url}/verify", "host.analyst")
    assert api.post(f"{url}/reject", "host.analyst", json={"reason": ""}).status_code == 422
    rejected = api.post(f"{url}/reject", "host.analyst", json={"reason": "Hoax call"}).json()
    assert rejected["state"] == "rejected" and rejected["state_reason"] == "Hoax call"
    assert incident["id"] in {e["id"] for e in events(connection, "incident.withdrawn")}
    assert api.patch(url, "host.officer", json={"killed": 3}).status_code == 409


def test_partner_sees_verified_amber_incidents_but_not_red_or_host_only(api):
    ids = {}
    for name, marking in (("amber", {}), ("red", {"tlp": "red"}), ("host_only", {"release_to": ["host"]})):
        incident = api.post(
            "/api/v1/incidents", "host.officer", json={**FIELD_REPORT, "title": name, **marking}
        ).json()
        api.post(f"/api/v1/incidents/{incident['id']}/verify", "host.analyst")
        ids[name] = incident["id"]
    assert api.get(f"/api/v1/incidents/{ids['amber']}", "partner.liaison").status_code == 200
    assert api.get(f"/api/v1/incidents/{ids['red']}", "partner.liaison").status_code == 404
    assert api.get(f"/api/v1/incidents/{ids['host_only']}", "partner.liaison").status_code == 404
    listed = {
        i["id"]
        for i in api.get("/api/v1/incidents", "partner.liaison", params={"limit": 500}).json()["items"]
    }
    assert ids["amber"] in listed and not {ids["red"], ids["host_only"]} & listed
    assert (
        api.get(f"/api/v1/incidents/{ids['amber']}", "company.security").status_code == 404
    )  # GREEN at most


def test_demo_history_holds_the_real_attacks_marked_as_such(api):
    history = api.get(
        "/api/v1/incidents",
        "partner.liaison",
        params={"source_system": "history", "limit": 100, "sort": "occurred_at"},
    ).json()
    assert history["total"] >= 13 and all(
        i["historical"] and i["state"] == "verified" for i in history["items"]
    )
    dasu = next(i for i in history["items"] if i["occurred_at"].startswith("2021-07-14"))
    assert (dasu["killed"], dasu["killed_protected"], dasu["province"]) == (13, 9, "PK-KP")
    background = api.get("/api/v1/incidents", "host.analyst", params={"source_system": "synthetic"}).json()
    assert background["total"] >= 300 and background["items"][0]["synthetic"]


def test_investigation_progress_is_shown_as_the_policy_grants(api):
    incident = api.first("/api/v1/incidents", "host.analyst", q="Besham")
    url = f"/api/v1/incidents/{incident['id']}"
    recorded = api.client.put(
        f"{url}/investigation",
        headers=api.headers("host.analyst"),
        json={
            "status": "charged",
            "arrests": 11,
            "charges": "Terrorism (ATA s.7)",
            "next_hearing": "2026-12-15",
        },
    )
    assert recorded.status_code == 200, recorded.text
    assert api.get(url, "partner.liaison").json()["investigation"]["arrests"] == 11
    assert api.get(url, "auditor").json()["investigation"] is None
    refused = api.client.put(
        f"{url}/investigation", headers=api.headers("partner.liaison"), json={"status": "open"}
    )
    assert refused.status_code == 403


def test_incident_list_filters_and_sorts(api):
    page = api.get(
        "/api/v1/incidents",
        "host.analyst",
        params={"province": "PK-BA", "kind": "suicide_bombing", "sort": "-occurred_at"},
    ).json()
    assert page["items"] and all(
        i["province"] == "PK-BA" and i["kind"] == "suicide_bombing" for i in page["items"]
    )
    dates = [i["occurred_at"] for i in page["items"]]
    assert dates == sorted(dates, reverse=True)
    assert api.get("/api/v1/incidents", "host.analyst", params={"sort": "narrative"}).status_code == 422
