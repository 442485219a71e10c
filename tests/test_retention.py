"""Retention: positions and personal data purged after their periods, each purge in the audit trail."""

import time
from datetime import timedelta

from sqlalchemy import select

from jsms import retention
from jsms.core import db as core_db
from jsms.core.models import AuditRecord
from jsms.registry.models import ProtectedPerson
from jsms.welfare.models import Beneficiary, Casualty
from tests.tracking.conftest import convoy as convoy  # fixtures
from tests.tracking.conftest import live as live
from tests.tracking.conftest import tracking_api as tracking_api
from tests.welfare.test_compensation_api import a_case, a_casualty

DAY = 86400.0


def purges() -> list[AuditRecord]:
    with core_db.new_session(None) as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == "retention.purge")))


def send(api, device: str, t: float, lat: float, lon: float):
    ping = {"device": device, "t": t, "lat": lat, "lon": lon}
    answer = api.post("/api/v1/tracking/pings", "host.officer", json={"pings": [ping]})
    assert answer.status_code == 200, answer.text


def track_times(api, journey_id: str) -> list[float]:
    return [p["t"] for p in api.get(f"/api/v1/journeys/{journey_id}/track", "host.commander").json()]


def test_an_expired_position_is_gone_and_its_purge_is_in_the_audit_trail(tracking_api, convoy):
    journey = convoy.journey["id"]
    lat, lon = convoy.point_at(2.0)
    now = time.time()
    send(tracking_api, convoy.protected, now - 100 * DAY, lat, lon)  # a fix the tracker kept 100 days
    send(tracking_api, convoy.protected, now, lat, lon)
    assert len(track_times(tracking_api, journey)) == 2

    retention.purge()  # the journey is under way: nothing of it goes
    assert len(track_times(tracking_api, journey)) == 2 and purges() == []

    assert tracking_api.post(f"/api/v1/journeys/{journey}/complete", "host.officer").status_code == 200
    done = retention.purge()
    remaining = track_times(tracking_api, journey)
    assert len(remaining) == 1 and remaining[0] > now - DAY  # the recent fix stays
    assert done.positions["pings"] == 1 and done.positions["journeys"] == [journey]

    (record,) = purges()
    assert record.actor == "system:retention" and record.object_id == str(done.audit_id)
    assert record.changes["positions"]["journeys"] == [journey]
    assert record.changes["positions"]["pings"] == 1
    verified = tracking_api.get("/api/v1/audit/verify", "auditor").json()
    assert verified["intact"] is True, verified

    again = retention.purge()  # nothing left to purge: no further record
    assert again.audit_id is None and len(purges()) == 1


def test_personal_data_of_a_departed_person_is_erased_after_the_period(api):
    person = api.first("/api/v1/persons", "host.commander")
    changed = api.patch(f"/api/v1/persons/{person['id']}", "host.commander", json={"status": "departed"})
    assert changed.status_code == 200, changed.text

    assert retention.purge(now=core_db.utcnow() + timedelta(days=30)).persons == []  # too soon
    later = core_db.utcnow() + timedelta(days=5 * 365 + 1)
    done = retention.purge(now=later)
    assert [str(i) for i in done.persons] == [person["id"]]

    detail = api.get(f"/api/v1/persons/{person['id']}", "host.commander").json()
    assert detail["full_name"] == person["full_name"]  # the name and history stay
    assert detail["passport_number"] is None and detail["phone"] is None
    assert detail["emergency_contact_phone"] is None
    (record,) = purges()
    assert record.changes["persons"] == [person["id"]]
    with core_db.new_session(None) as session:
        erased = session.scalars(
            select(AuditRecord).where(
                AuditRecord.object_id == person["id"], AuditRecord.actor == "system:retention"
            )
        ).all()
        assert [r.action for r in erased] == ["protected_person.update"]
        staying = select(ProtectedPerson).where(ProtectedPerson.status == "in_country").limit(1)
        assert session.scalar(staying).passport_number is not None  # those still here keep theirs


def test_a_settled_cases_identity_numbers_and_bank_accounts_are_erased(api):
    casualty = a_casualty(api, notes="Hospital record 4471")
    case = a_case(
        api,
        casualty,
        beneficiaries=[
            {
                "name": "Test Spouse",
                "relationship_to_casualty": "spouse",
                "share_percent": "100",
                "bank_account": "PK36SCBL0000001123456702",
            }
        ],
    )
    open_case = retention.purge(now=core_db.utcnow() + timedelta(days=6 * 365))
    assert open_case.casualties == [] and open_case.beneficiaries == []  # still being decided

    url = f"/api/v1/compensation-cases/{case['id']}/reject"
    assert api.post(url, "host.commander", json={"reason": "Paid under another scheme"}).status_code == 200
    done = retention.purge(now=core_db.utcnow() + timedelta(days=6 * 365))
    assert [str(i) for i in done.casualties] == [casualty["id"]] and len(done.beneficiaries) == 1
    with core_db.new_session(None) as session:
        stored = session.get(Casualty, done.casualties[0])
        assert stored.name == "Test Engineer Wang"
        assert stored.identity_number is None and stored.notes is None
        beneficiary = session.get(Beneficiary, done.beneficiaries[0])
        assert beneficiary.name == "Test Spouse" and beneficiary.bank_account is None
