"""What leaves the node for the other party: its own verified records the marking rule lets that
party read, without withheld fields, each logged; a preview shows the same and logs nothing."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from jsms.core.actor import Actor
from jsms.core.db import unit_of_work
from jsms.core.errors import Forbidden
from jsms.core.models import ReleaseRecord
from jsms.core.policy import PolicyDocument
from jsms.incidents import schemas
from jsms.incidents import service as incidents
from jsms.sharing import service, stix

SYSTEM = Actor.system("sharing-test")


def _incident(session, title: str, tlp: str, owner: str = "host", release_to=(), verify: bool = True):
    data = schemas.IncidentCreate(
        title=title,
        occurred_at=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        lat=24.86,
        lon=67.01,
        kind="armed_attack",
        narrative="Gunmen fired on a checkpoint; the informant's name is in the file.",
        claimed_by="A group (claimed)",
        killed=2,
        tlp=tlp,
        release_to=list(release_to),
    )
    incident = incidents.create_incident(session, SYSTEM, data)
    incident.owner_party = owner
    if verify:
        incidents.verify_incident(session, SYSTEM, incident.id)
    return incident


@pytest.fixture
def marked(sqlite_connection):
    """One incident of each kind of marking, all verified unless said."""
    with unit_of_work(SYSTEM) as session:
        made = {
            "amber": _incident(session, "Amber", "amber"),
            "green": _incident(session, "Green", "green"),
            "red": _incident(session, "Red", "red"),
            "host only": _incident(session, "Host only", "amber", release_to=["host"]),
            "red, named": _incident(session, "Red named", "red", release_to=["partner"]),
            "theirs": _incident(session, "Theirs", "amber", owner="partner"),
            "draft": _incident(session, "Draft", "amber", verify=False),
        }
        return {name: incident.id for name, incident in made.items()}


def _released_ids(bundle) -> set:
    return {o["id"] for o in json.loads(bundle.serialize())["objects"] if o["type"] == "incident"}


def test_the_partner_receives_what_its_marking_releases_and_nothing_else(marked):
    with unit_of_work(SYSTEM) as session:
        released = _released_ids(service.preview(session, SYSTEM, "partner"))
    ours = {f"incident--{i}": name for name, i in marked.items()}
    assert {ours[i] for i in released if i in ours} == {"amber", "green", "red, named"}


def test_a_release_is_logged_and_a_preview_is_not(marked):
    with unit_of_work(SYSTEM) as session:
        before = session.scalar(select(func.count()).select_from(ReleaseRecord))
        preview = service.preview(session, SYSTEM, "partner")
        assert session.scalar(select(func.count()).select_from(ReleaseRecord)) == before
        sent = service.release(session, SYSTEM, "partner", "export")
        assert _released_ids(sent) == _released_ids(preview)
        logged = session.scalars(
            select(ReleaseRecord).where(ReleaseRecord.object_id == marked["amber"])
        ).all()
    assert [(r.audience, r.channel, r.tlp) for r in logged] == [("partner", "export", "amber")]


def test_withheld_fields_do_not_leave(marked, monkeypatch):
    document = PolicyDocument(redactions={"incident": ["narrative", "claimed_by", "killed"]})
    monkeypatch.setattr(service, "active_policy", lambda _session: document)
    with unit_of_work(SYSTEM) as session:
        objects = json.loads(service.preview(session, SYSTEM, "partner").serialize())["objects"]
    amber = next(o for o in objects if o["id"] == f"incident--{marked['amber']}")
    assert "description" not in amber and "informant" not in json.dumps(objects)
    assert "killed" not in amber["extensions"][stix.DETAILS_EXTENSION]
    assert not [
        o
        for o in objects
        if o["type"] == "relationship"
        and o["source_ref"] == amber["id"]
        and o["relationship_type"] == "attributed-to"
    ]


def test_a_node_does_not_release_to_its_own_party_and_only_permitted_users_release(marked):
    with unit_of_work(SYSTEM) as session:
        with pytest.raises(Forbidden):
            service.preview(session, SYSTEM, "host")
        officer = Actor(username="o", role="host_operations_officer", party="host")
        with pytest.raises(Forbidden):
            service.release(session, officer, "partner", "export")


def test_threat_level_changes_leave_as_reports_as_far_as_their_marking_allows(marked, monkeypatch):
    from stix2validator import ValidationOptions, validate_instance

    from jsms.risk.models import ThreatLevelChange

    with unit_of_work(SYSTEM) as session:
        change = ThreatLevelChange(area="PK-BA/Gwadar", area_kind="district", previous_level=3, level=4)
        change.intensity, change.cause, change.reason = 2.5, "computed", "two attacks this month"
        session.add(change)
        session.flush()
        node = service.this_node()
        released = service.threat_level_releases(session, "partner", None, node)
        data = json.loads(stix.bundle([o for r in released for o in r.objects], node).serialize())
        reports = [o for o in data["objects"] if o["type"] == "report"]
        secret = PolicyDocument(default_markings={"threat_level": "red"})
        monkeypatch.setattr(service, "active_policy", lambda _session: secret)
        withheld = service.threat_level_releases(session, "partner", None, node)
    gwadar = next(r for r in reports if r["name"] == "Threat level of PK-BA/Gwadar: 3 → 4")
    assert gwadar["report_types"] == ["threat-report"] and "two attacks" in gwadar["description"]
    assert gwadar["object_marking_refs"] == [stix.marking_id("green")]  # as the policy marks them
    place = next(o for o in data["objects"] if o["id"] == gwadar["object_refs"][0])
    assert (place["administrative_area"], place["city"]) == ("PK-BA", "Gwadar")
    assert validate_instance(data, ValidationOptions(strict=False)).is_valid
    assert withheld == []  # RED threat levels stay home
