"""Journeys through the API: requested, checked against the SOPs and other journeys, decided, conducted."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from jsms.core.models import AuditRecord
from jsms.risk import service as risk
from tests.core.test_governance_api import proposal


@pytest.fixture(autouse=True)
def fresh_engine():
    risk.forget_engine()
    yield
    risk.forget_engine()


def tomorrow(hour_utc: int, days: int = 1) -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return day.isoformat()


def site_id(api, name: str) -> str:
    return api.first("/api/v1/sites", q=name)["id"]


def persons_at(api, site: str, count: int) -> list[str]:
    response = api.get("/api/v1/persons", "host.officer", params={"site_id": site, "limit": count})
    return [p["id"] for p in response.json()["items"]]


def vehicle(api, kind: str = "vehicle", unit: str | None = None, name: str = "Land Cruiser") -> str:
    body = {"kind": kind, "name": name, "status": "in_service", "assigned_unit_id": unit}
    response = api.post("/api/v1/assets", "host.officer", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def unit_id(api, call_sign: str) -> str:
    return api.first("/api/v1/units", q=call_sign)["id"]


@pytest.fixture
def thar(api):
    """Port Qasim → Thar coal block II (a tier 1 site: an armoured vehicle and escorts are required)."""
    origin, destination = site_id(api, "Port Qasim Coal"), site_id(api, "Thar Coal Block II")
    return {
        "purpose": "Shift change of engineers at the Thar II mine",
        "origin": {"site_id": origin},
        "destination": {"site_id": destination},
        "window_start": tomorrow(3),  # 08:00 in Pakistan
        "window_end": tomorrow(3),
        "route": "fastest",
        "person_ids": persons_at(api, destination, 3),
    }


def request(api, body, user="host.officer"):
    response = api.post("/api/v1/journeys", user, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def step(api, journey, action, user="host.officer", **body):
    return api.post(f"/api/v1/journeys/{journey['id']}/{action}", user, json=body or None)


def escorts(api, count: int, unit: str) -> list[str]:
    return [vehicle(api, unit=unit, name=f"Escort pickup {i}") for i in range(count)]


def test_a_journey_without_the_armoured_vehicle_its_sop_requires_cannot_be_approved(api, thar):
    journey = request(api, {**thar, "vehicle_ids": [vehicle(api)]})
    assert journey["status"] == "draft" and journey["assessment"]["requirements"]["armoured_vehicle"] is True
    assert {f["code"] for f in journey["unmet_requirements"]} >= {"armoured_vehicle", "escort_vehicles"}
    assert step(api, journey, "submit").json()["status"] == "submitted"
    refused = step(api, journey, "approve", "host.commander")
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert "armoured vehicle" in detail and "none of the journey's vehicles is armoured" in detail
    assert "tier-1-site" in detail
    assert api.get(f"/api/v1/journeys/{journey['id']}", "host.officer").json()["status"] == "submitted"


def test_a_journey_that_meets_its_sops_is_approved_started_and_completed(api, thar):
    sindh = unit_id(api, "SSU-S")
    armoured = vehicle(api, "armoured_vehicle", name="Armoured Land Cruiser")
    journey = request(api, {**thar, "vehicle_ids": [armoured]})
    needed = journey["assessment"]["requirements"]["escort_vehicles"]
    assigned = step(
        api,
        journey,
        "assign",
        escort_unit_id=sindh,
        escort_vehicle_ids=escorts(api, needed, sindh),
        convoy_leader="Inspector Convoy Leader",
        convoy_leader_call_sign="THAR-1",
    )
    assert assigned.status_code == 200, assigned.text
    assert step(api, journey, "submit").status_code == 200
    approver = "host.commander"
    approved = step(api, journey, "approve", approver, note="Escort confirmed")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved" and body["unmet_requirements"] == [] and body["conflicts"] == []
    assert len(body["checkpoints"]) >= 3 and body["checkpoints"][-1]["name"].startswith("Thar Coal Block II")
    interval = body["assessment"]["requirements"]["checkin_interval_minutes"]
    schedule = [datetime.fromisoformat(t) for t in body["checkin_schedule"]]
    assert schedule[1] - schedule[0] == timedelta(minutes=interval)
    started = step(api, journey, "start").json()
    assert started["status"] == "under_way"
    arrival = datetime.fromisoformat(started["projected_arrival"])
    expected = datetime.now(UTC) + timedelta(seconds=started["route"]["duration_s"])
    assert abs((arrival - expected).total_seconds()) < 60
    done = step(api, journey, "complete").json()
    assert done["status"] == "completed"
    timeline = [(e["action"], e["actor"], e["status"]) for e in done["events"]]
    assert timeline == [
        ("created", "host.officer", "draft"),
        ("escort_assigned", "host.officer", "draft"),
        ("submitted", "host.officer", "submitted"),
        ("approved", "host.commander", "approved"),
        ("started", "host.officer", "under_way"),
        ("completed", "host.officer", "completed"),
    ]


def test_a_double_booked_vehicle_is_refused(api, thar):
    shared = vehicle(api, "armoured_vehicle", name="Armoured bus")
    first = request(api, {**thar, "vehicle_ids": [shared]})
    assert step(api, first, "submit").status_code == 200
    overlapping = {**thar, "vehicle_ids": [shared], "person_ids": thar["person_ids"][:1]}
    refused = api.post(
        "/api/v1/journeys",
        "host.officer",
        json={
            **overlapping,
            "person_ids": [
                p["id"]
                for p in api.get("/api/v1/persons", "host.officer", params={"limit": 1, "offset": 50}).json()[
                    "items"
                ]
            ],
        },
    )
    assert refused.status_code == 409
    assert (
        "Armoured bus is already on journey" in refused.json()["detail"]
        and first["id"] in refused.json()["detail"]
    )
    # The same vehicle the day after is free.
    later = {**overlapping, "window_start": tomorrow(3, days=3), "window_end": tomorrow(3, days=3)}
    assert api.post("/api/v1/journeys", "host.officer", json=later).status_code == 201


def test_a_person_on_two_journeys_at_once_is_refused(api, thar):
    first = request(api, thar)
    step(api, first, "submit")
    again = api.post("/api/v1/journeys", "host.officer", json=thar)
    assert again.status_code == 409 and "is already on journey" in again.json()["detail"]


def test_an_escort_unit_short_of_vehicles_is_a_conflict(api, thar):
    small = unit_id(api, "TF-88")  # a naval task force: no escort vehicles of its own
    only_one = escorts(api, 1, small)
    journey = request(api, {**thar, "vehicle_ids": [vehicle(api, "armoured_vehicle")]})
    answer = step(
        api,
        journey,
        "assign",
        escort_unit_id=small,
        escort_vehicle_ids=only_one,
        convoy_leader="Sub-Inspector",
    )
    assert answer.status_code == 200
    codes = {c["code"] for c in answer.json()["conflicts"]}
    assert "escort_over_capacity" in codes
    assert step(api, journey, "submit").status_code == 409


def test_the_partner_liaison_cannot_approve_assign_or_request(api, thar):
    journey = request(api, {**thar, "vehicle_ids": [vehicle(api, "armoured_vehicle")]})
    step(api, journey, "submit")
    seen = api.get(f"/api/v1/journeys/{journey['id']}", "partner.liaison")
    assert seen.status_code == 200  # TLP:AMBER: shared with the partner
    assert step(api, journey, "approve", "partner.liaison").status_code == 403
    assert step(api, journey, "approve", "partner.representative").status_code == 403
    sindh = unit_id(api, "SSU-S")
    assign = step(
        api,
        journey,
        "assign",
        "partner.liaison",
        escort_unit_id=sindh,
        escort_vehicle_ids=escorts(api, 1, sindh),
        convoy_leader="X",
    )
    assert assign.status_code == 403
    asked = api.post("/api/v1/journeys", "partner.liaison", json=thar)
    assert asked.status_code == 403


def test_an_operations_officer_cannot_approve_what_needs_a_commander(api, thar):
    sindh = unit_id(api, "SSU-S")
    night = {
        **thar,
        "window_start": tomorrow(16),
        "window_end": tomorrow(16),
        "vehicle_ids": [vehicle(api, "armoured_vehicle")],
    }  # 21:00 local: the night rule wants the commander
    journey = request(api, night)
    assert journey["assessment"]["requirements"]["approval_level"] == "commander"
    needed = journey["assessment"]["requirements"]["escort_vehicles"]
    step(
        api,
        journey,
        "assign",
        escort_unit_id=sindh,
        escort_vehicle_ids=escorts(api, needed, sindh),
        convoy_leader="Inspector",
    )
    step(api, journey, "submit")
    refused = step(api, journey, "approve", "host.officer")
    assert refused.status_code == 403 and "commander" in refused.json()["detail"]
    by_commander = step(api, journey, "approve", "host.commander")
    assert by_commander.status_code == 422 and "allowed from" in by_commander.json()["detail"]


def test_a_company_requests_for_its_own_organisation_only(api):
    gwadar = site_id(api, "Gwadar Port")
    body = {
        "purpose": "Airport run",
        "origin": {"site_id": gwadar},
        "destination": {"lat": 25.275, "lon": 62.57},  # the new airport: another company's site
        "window_start": tomorrow(4),
        "window_end": tomorrow(5),
        "person_ids": [
            p["id"]
            for p in api.get("/api/v1/persons", "company.security", params={"limit": 2}).json()["items"]
        ],
    }
    journey = request(api, body, "company.security")
    assert journey["requested_by"] == "company.security"
    listed = api.get("/api/v1/journeys", "company.security").json()
    # Its own journeys (the demo's airport run of the same company too), none of another organisation.
    assert journey["id"] in [j["id"] for j in listed["items"]]
    assert {j["requesting_org_id"] for j in listed["items"]} == {journey["requesting_org_id"]}
    assert api.get("/api/v1/journeys", "host.officer").json()["total"] > listed["total"]
    assert step(api, journey, "approve", "company.security").status_code == 403
    assert (
        step(
            api,
            journey,
            "assign",
            "company.security",
            escort_unit_id=unit_id(api, "SSD-S"),
            escort_vehicle_ids=[vehicle(api)],
            convoy_leader="X",
        ).status_code
        == 403
    )


def test_state_machine_refuses_steps_out_of_order(api, thar):
    journey = request(api, thar)
    assert step(api, journey, "approve", "host.commander").status_code == 409
    assert step(api, journey, "start").status_code == 409
    step(api, journey, "submit")
    changed = api.patch(f"/api/v1/journeys/{journey['id']}", "host.officer", json={"purpose": "Other"})
    assert changed.status_code == 409
    rejected = step(api, journey, "reject", "host.commander", reason="Route through a hot district")
    assert rejected.json()["status"] == "rejected" and rejected.json()["decision_reason"].startswith("Route")
    assert step(api, journey, "revise").json()["status"] == "draft"
    moved = api.patch(
        f"/api/v1/journeys/{journey['id']}",
        "host.officer",
        json={"route": "safest", "window_start": tomorrow(4), "window_end": tomorrow(4)},
    )
    assert moved.status_code == 200 and moved.json()["route_profile"] == "safest"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"window_end": "2020-01-01T00:00:00Z"}, "window_end"),
        ({"person_ids": []}, "person_ids"),
        ({"origin": {"lat": 24.8}}, "origin"),
        ({"route": "scenic"}, "route"),
        ({"window_start": "2026-12-01T08:00:00"}, "window_start"),  # no time zone
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_journey_requests_say_what_is_wrong_and_store_nothing(api, thar, change, field):
    before = api.get("/api/v1/journeys", "host.officer").json()["total"]
    response = api.post("/api/v1/journeys", "host.officer", json={**thar, **change})
    assert response.status_code == 422 and field in response.text
    assert api.get("/api/v1/journeys", "host.officer").json()["total"] == before


def test_journey_steps_are_audited(api, thar, connection):
    journey = request(api, thar)
    step(api, journey, "submit")
    records = connection.execute(
        select(AuditRecord.actor, AuditRecord.action).where(
            AuditRecord.object_type == "journey", AuditRecord.object_id == journey["id"]
        )
    ).all()
    assert ("host.officer", "journey.create") in records and ("host.officer", "journey.update") in records


def test_the_partner_liaison_requests_once_both_parties_allow_it_and_still_cannot_approve(api, thar):
    body = {**thar, "vehicle_ids": [vehicle(api, "armoured_vehicle")]}
    assert api.post("/api/v1/journeys", "partner.liaison", json=body).status_code == 403
    version = api.post("/api/v1/policy/versions", "host.commander", json=proposal()).json()
    for user in ("host.commander", "partner.representative"):
        approve = f"/api/v1/policy/versions/{version['id']}/approve"
        assert api.post(approve, user).status_code == 200
    journey = request(api, body, "partner.liaison")
    assert journey["requested_by"] == "partner.liaison" and journey["status"] == "draft"
    assert step(api, journey, "submit", "partner.liaison").json()["status"] == "submitted"
    assert step(api, journey, "approve", "partner.liaison").status_code == 403
