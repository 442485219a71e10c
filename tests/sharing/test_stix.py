"""Incidents as STIX 2.1: valid bundles, stable ids, versions that follow changes, TLP markings."""

import json

import pytest
from sqlalchemy import select
from stix2validator import ValidationOptions, validate_instance

from jsms.core.actor import Actor
from jsms.core.db import unit_of_work
from jsms.core.marking import Tlp
from jsms.incidents.models import Incident
from jsms.sharing import service, stix

NODE = stix.Node("host.example", "Host node")
SYSTEM = Actor.system("sharing-test")


def _claimed_incident(session) -> Incident:
    return session.scalar(
        select(Incident).where(Incident.claimed_by.is_not(None)).order_by(Incident.id).limit(1)
    )


def _by_type(objects) -> dict[str, list]:
    found: dict[str, list] = {}
    for item in objects:
        found.setdefault(item["type"], []).append(item)
    return found


def test_an_incident_becomes_a_valid_bundle_with_its_place_group_marking_and_details(sqlite_connection):
    with unit_of_work(SYSTEM) as session:
        incident = _claimed_incident(session)
        data = json.loads(stix.bundle(stix.incident_objects(incident, NODE), NODE).serialize())
        expected = incident
    result = validate_instance(data, ValidationOptions(strict=False))
    assert result.is_valid, [str(e) for e in result.errors]
    objects = _by_type(data["objects"])
    (item,) = objects["incident"]
    assert item["id"] == f"incident--{expected.id}" and item["name"] == expected.title
    assert item["object_marking_refs"] == [stix.marking_id(expected.tlp)]
    details = item["extensions"][stix.DETAILS_EXTENSION]
    assert details["killed"] == expected.killed and details["event_type"] == expected.kind
    assert details["protected_nationality_targeted"] == expected.protected_nationality_targeted
    (place,) = objects["location"]
    assert (place["latitude"], place["longitude"]) == (expected.lat, expected.lon)
    assert place["administrative_area"] == expected.province and place["country"] == "PK"
    (actor,) = objects["threat-actor"]
    assert actor["name"] == stix.group_name(expected.claimed_by) and "(claimed)" not in actor["name"]
    kinds = {(r["relationship_type"], r["target_ref"]) for r in objects["relationship"]}
    assert kinds == {("located-at", place["id"]), ("attributed-to", actor["id"])}
    assert {m["name"] for m in objects["marking-definition"]} == {Tlp(expected.tlp).label}


@pytest.mark.parametrize("precision", ["time", "day", "month"])
def test_every_time_precision_an_incident_has_travels(sqlite_connection, precision):
    with unit_of_work(SYSTEM) as session:
        incident = _claimed_incident(session)
        incident.time_precision = precision
        text = stix.bundle(stix.incident_objects(incident, NODE), NODE).serialize()
        session.rollback()
    (item,) = [o for o in service.read_bundle(text) if o["type"] == "incident"]
    assert item["extensions"][stix.DETAILS_EXTENSION]["time_precision"] == precision


def test_exporting_again_gives_the_same_ids_and_a_change_gives_a_new_version(sqlite_connection):
    with unit_of_work(SYSTEM) as session:
        incident = _claimed_incident(session)
        first = {o["id"]: o for o in stix.incident_objects(incident, NODE)}
        again = {o["id"]: o for o in stix.incident_objects(incident, NODE)}
        incident.killed = (incident.killed or 0) + 1
    with unit_of_work(SYSTEM) as session:
        changed = stix.incident_objects(session.get(Incident, incident.id), NODE)[0]
    assert first.keys() == again.keys()
    before = first[changed["id"]]
    assert changed["created"] == before["created"] and changed["modified"] > before["modified"]
    assert changed["extensions"][stix.DETAILS_EXTENSION]["killed"] == incident.killed


@pytest.mark.parametrize(
    ("refs", "level"),
    [
        (["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"], Tlp.AMBER),  # TLP 2.0
        (["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"], Tlp.CLEAR),  # TLP 1.0 WHITE
        (
            [
                "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
                "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
            ],
            Tlp.RED,  # the strictest wins
        ),
        (["marking-definition--00000000-0000-4000-8000-000000000000"], None),
        ([], None),
    ],
)
def test_the_tlp_of_markings_2_0_or_1_0(refs, level):
    assert stix.tlp_of(refs) == level


def test_every_tlp_level_has_its_oasis_marking_definition():
    assert [stix.tlp_definitions()[level]["name"] for level in Tlp] == [level.label for level in Tlp]


# ---- taking in ---------------------------------------------------------------------------


def _bundle_text(incident) -> str:
    return stix.bundle(stix.incident_objects(incident, NODE), NODE).serialize()


def test_a_bundle_from_the_other_node_becomes_a_local_incident_once_and_updates_follow(sqlite_connection):
    from jsms.sharing.models import ReceivedObject
    from jsms.sharing.service import take_in

    with unit_of_work(SYSTEM) as session:
        original = _claimed_incident(session)
        text = _bundle_text(original)
        # Pretend it came from elsewhere: the local copy must be a new record with its own id.
        text = text.replace(str(original.id), "7b3c1d1e-0000-4000-8000-00000000abcd")
        first = take_in(session, SYSTEM, text, from_party="partner")
        again = take_in(session, SYSTEM, text, from_party="partner")
        link = session.get(ReceivedObject, "incident--7b3c1d1e-0000-4000-8000-00000000abcd")
        local = session.get(Incident, link.local_id)
        assert first.created == [link.stix_id] and again.created == [] and again.unchanged == [link.stix_id]
        assert local.title == original.title and local.killed == original.killed
        assert local.owner_party == "partner" and local.source_system == "partner"
        assert local.claimed_by == stix.group_name(original.claimed_by)
        assert local.state == "verified" and local.id != original.id
        newer = json.loads(text)
        for item in newer["objects"]:
            if item["type"] == "incident":
                item["modified"] = "2030-01-01T00:00:00.000Z"
                item["extensions"][stix.DETAILS_EXTENSION]["killed"] = 99
        updated = take_in(session, SYSTEM, json.dumps(newer), from_party="partner")
        assert updated.updated == [link.stix_id] and session.get(Incident, link.local_id).killed == 99


def test_a_bundle_with_a_broken_object_is_refused_whole_naming_it(sqlite_connection):
    from jsms.core.errors import Invalid
    from jsms.sharing.service import take_in

    with unit_of_work(SYSTEM) as session:
        data = json.loads(_bundle_text(_claimed_incident(session)))
        broken = next(o for o in data["objects"] if o["type"] == "location")
        broken["latitude"] = 123.0  # beyond the pole
        with pytest.raises(Invalid) as refused:
            take_in(session, SYSTEM, json.dumps(data), from_party="partner")
        assert broken["id"] in str(refused.value) and "nothing was taken in" in str(refused.value)
        with pytest.raises(Invalid, match="not JSON"):
            take_in(session, SYSTEM, "{nope", from_party="partner")
        with pytest.raises(Invalid, match="bundle"):
            take_in(session, SYSTEM, json.dumps({"type": "incident"}), from_party="partner")


def _with_investigation(session) -> Incident:
    from datetime import date

    from jsms.incidents.models import Investigation

    incident = _claimed_incident(session)
    if incident.investigation is None:
        incident.investigation = Investigation(status="open")
    incident.investigation.status = "on_trial"
    incident.investigation.arrests = 3
    incident.investigation.charges = "Terrorism, murder"
    incident.investigation.next_hearing = date(2026, 12, 14)
    incident.investigation.notes = "Informant K. says the cell met in Hub."  # stays home
    session.flush()
    return incident


def test_the_claimed_group_is_sighted_and_the_investigation_is_a_note(sqlite_connection):
    with unit_of_work(SYSTEM) as session:
        incident = _with_investigation(session)
        data = json.loads(stix.bundle(stix.incident_objects(incident, NODE), NODE).serialize())
        withheld = stix.incident_objects(incident, NODE, frozenset({"investigation_status"}))
        session.rollback()
    result = validate_instance(data, ValidationOptions(strict=False))
    assert result.is_valid, [str(e) for e in result.errors]
    objects = _by_type(data["objects"])
    (sighting,) = objects["sighting"]
    assert sighting["sighting_of_ref"] == objects["threat-actor"][0]["id"]
    assert sighting["where_sighted_refs"] == [objects["location"][0]["id"]]
    (note,) = objects["note"]
    assert note["object_refs"] == [objects["incident"][0]["id"]]
    progress = note["extensions"][stix.INVESTIGATION_EXTENSION]
    assert (progress["status"], progress["arrests"], progress["next_hearing"]) == (
        "on_trial",
        3,
        "2026-12-14",
    )
    assert "Informant" not in json.dumps(data)
    assert not [o for o in withheld if o["type"] == "note"]


def test_an_investigation_note_updates_the_local_incident_it_is_about(sqlite_connection):
    from jsms.sharing.models import ReceivedObject
    from jsms.sharing.service import take_in

    with unit_of_work(SYSTEM) as session:
        original = _with_investigation(session)
        text = _bundle_text(original).replace(str(original.id), "7b3c1d1e-0000-4000-8000-00000000beef")
        session.rollback()
        take_in(session, SYSTEM, text, from_party="partner")
        link = session.get(ReceivedObject, "incident--7b3c1d1e-0000-4000-8000-00000000beef")
        local = session.get(Incident, link.local_id)
        assert (local.investigation.status, local.investigation.arrests) == ("on_trial", 3)
        assert local.investigation.notes == ""  # the other node's own notes never travelled
        broken = json.loads(text)
        for item in broken["objects"]:
            if item["type"] == "note":
                item["extensions"][stix.INVESTIGATION_EXTENSION]["arrests"] = -1
        with pytest.raises(Exception, match="arrests"):
            take_in(session, SYSTEM, json.dumps(broken), from_party="partner")
