"""Incidents as STIX 2.1 objects, made with the stix2 library (standards.md §1).

What one incident becomes: an `incident` (title, narrative, kind as a label, sources as external
references, and our property extension with what STIX has no words for: when and how precisely it
happened, casualties, whether the protected nationality was targeted, the investigation's status),
its `location` (a `located-at` relationship) and, when a group claimed it, a `threat-actor`
(`attributed-to`) with a `sighting` of it there and then; its investigation's progress becomes a
`note` on the incident (with a second extension of ours for arrests, charges, prosecution and the
next hearing; the investigators' own notes stay home). Every object carries its TLP 2.0 marking
(the OASIS marking-definitions) and is created by the node's identity. A threat-level change
becomes a `report` about the area's `location`, marked as the policy marks threat levels.

Ids are stable, so exporting again gives the same objects: the incident keeps its own UUID, and the
objects made from its parts get UUIDv5 ids in the JSMS namespace. `modified` is the record's last
change, so each change is a new STIX version.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, get_args

import orjson
import stix2
from stix2 import properties as p

from jsms.core.marking import Tlp
from jsms.core.policy import REDACTABLE
from jsms.incidents.schemas import INVESTIGATION_STATUSES
from jsms.incidents.schemas import TIME_PRECISIONS as INCIDENT_TIME_PRECISIONS

NAMESPACE = uuid.UUID("40b57898-1658-45fc-86ba-7156260a55b8")  # JSMS's own, for UUIDv5 ids
DETAILS_EXTENSION = "extension-definition--5fb3775f-e963-4f18-9f29-9bc0e2a5ea39"
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
INVESTIGATION_EXTENSION = "extension-definition--0d6f4f8e-7a43-4c1b-9a53-3c5a7e0e2b71"
COUNTRY = "PK"
TIME_PRECISIONS = get_args(INCIDENT_TIME_PRECISIONS)  # as the incidents record them
WITHHOLDABLE = REDACTABLE["incident"]  # what the policy may withhold of an incident


@stix2.v21.CustomExtension(
    DETAILS_EXTENSION,
    [
        ("occurred", p.TimestampProperty(required=True)),
        ("time_precision", p.EnumProperty(TIME_PRECISIONS, required=True)),
        ("event_type", p.StringProperty(required=True)),
        ("target_category", p.StringProperty()),
        ("killed", p.IntegerProperty(min=0)),
        ("injured", p.IntegerProperty(min=0)),
        ("killed_protected", p.IntegerProperty(min=0)),
        ("injured_protected", p.IntegerProperty(min=0)),
        ("protected_nationality_targeted", p.BooleanProperty()),
        ("investigation_status", p.StringProperty()),
        ("verification", p.StringProperty()),
    ],
)
class IncidentDetails:
    """What the STIX incident stub has no property for, in a property extension of our own."""

    extension_type = "property-extension"


@stix2.v21.CustomExtension(
    INVESTIGATION_EXTENSION,
    [
        ("status", p.EnumProperty(get_args(INVESTIGATION_STATUSES), required=True)),
        ("arrests", p.IntegerProperty(min=0)),
        ("charges", p.StringProperty()),
        ("prosecution", p.StringProperty()),
        ("next_hearing", p.StringProperty()),  # ISO date
    ],
)
class InvestigationProgress:
    """Where the investigation of an incident stands, on the note that reports it."""

    extension_type = "property-extension"


@dataclass(frozen=True)
class Node:
    """The node that says it: its STIX identity."""

    node_id: str
    name: str

    @property
    def identity_id(self) -> str:
        return f"identity--{uuid.uuid5(NAMESPACE, f'node:{self.node_id}')}"

    def identity(self) -> stix2.Identity:
        return stix2.Identity(
            id=self.identity_id,
            name=self.name,
            identity_class="organization",
            sectors=["government-national"],
            created=EPOCH,
            modified=EPOCH,
        )


EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # the node identity's and extension's fixed creation time


@cache
def tlp_definitions() -> dict[Tlp, dict[str, Any]]:
    """The OASIS TLP 2.0 marking-definitions, by level."""
    text = (
        resources.files("jsms.sharing").joinpath("data", "tlp2-marking-definitions.bundle.json").read_text()
    )
    found = {}
    for item in json.loads(text)["objects"]:
        if item["type"] == "marking-definition":
            found[Tlp(item["extensions"][TLP_EXTENSION]["tlp_2_0"])] = item
    return found


def marking_id(tlp: Tlp | str) -> str:
    return tlp_definitions()[Tlp(tlp)]["id"]


def tlp_of(marking_refs: list[str]) -> Tlp | None:
    """The TLP 2.0 level among an object's markings (TLP 1.0 ids are read too), or None."""
    by_id = {item["id"]: level for level, item in tlp_definitions().items()} | TLP1_IDS
    levels = [by_id[ref] for ref in marking_refs if ref in by_id]
    return max(levels, key=lambda level: level.rank) if levels else None


TLP1_IDS = {  # TLP 1.0 (spec §7.2.1); WHITE reads as CLEAR
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
}


EXTENSIONS = {  # our property extensions: id → (name, what it adds)
    DETAILS_EXTENSION: (
        "jsms-incident-details",
        "When and how precisely a physical-security incident happened, its casualties (all, and of "
        "the protected nationality), whether that nationality was targeted, and the state of its "
        "verification and investigation.",
    ),
    INVESTIGATION_EXTENSION: (
        "jsms-investigation-progress",
        "Where the investigation of an incident stands: its status, arrests, charges, prosecution "
        "and the next hearing.",
    ),
}


def extension_definitions(node: Node) -> list[stix2.v21.ExtensionDefinition]:
    return [
        stix2.v21.ExtensionDefinition(
            id=extension_id,
            created_by_ref=node.identity_id,
            created=EPOCH,
            modified=EPOCH,
            name=name,
            description=description,
            schema=f"https://jsms.invalid/stix/{name}-1.0.0.json",
            version="1.0.0",
            extension_types=["property-extension"],
        )
        for extension_id, (name, description) in EXTENSIONS.items()
    ]


def _derived_id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


def group_name(claimed_by: str) -> str:
    """A claiming group's name without the '(claimed)' that records often add."""
    return claimed_by.replace("(claimed)", "").strip()


def incident_objects(incident: Any, node: Node, withheld: frozenset[str] = frozenset()) -> list[Any]:
    """The STIX objects of one incident (see the module's docstring), without the fields the
    policy withholds on release (`withheld`: the incident's field names)."""
    marking = [marking_id(incident.tlp)]
    common = {
        "created_by_ref": node.identity_id,
        "object_marking_refs": marking,
        "created": incident.created_at,
        "modified": incident.updated_at,
    }
    investigation = getattr(incident, "investigation", None)
    details = {
        "occurred": incident.occurred_at,
        "time_precision": incident.time_precision,
        "event_type": incident.kind,
        "target_category": incident.target_category,
        "killed": incident.killed,
        "injured": incident.injured,
        "killed_protected": incident.killed_protected,
        "injured_protected": incident.injured_protected,
        "protected_nationality_targeted": incident.protected_nationality_targeted,
        "investigation_status": investigation.status if investigation is not None else None,
        "verification": incident.state,
    }
    details = {k: v for k, v in details.items() if k not in withheld}
    sources = [
        {"source_name": source.publisher or "source", "description": source.title, "url": source.url}
        for source in incident.sources
        if (source.url or source.title) and "sources" not in withheld
    ]
    stix_incident = stix2.Incident(
        id=f"incident--{incident.id}",
        name=incident.title,
        description=(incident.narrative or None) if "narrative" not in withheld else None,
        labels=[incident.kind],
        external_references=[{k: v for k, v in s.items() if v} for s in sources] or None,
        extensions={DETAILS_EXTENSION: {k: v for k, v in details.items() if v is not None}},
        **common,
    )
    location = stix2.Location(
        id=_derived_id("location", str(incident.id)),
        name=(incident.place_name or None) if "place_name" not in withheld else None,
        latitude=incident.lat,
        longitude=incident.lon,
        country=COUNTRY,
        administrative_area=incident.province or None,
        city=(incident.district or None) if "district" not in withheld else None,
        **common,
    )
    objects = [
        stix_incident,
        location,
        _relationship(stix_incident.id, "located-at", location.id, common),
    ]
    if incident.claimed_by and "claimed_by" not in withheld:
        name = group_name(incident.claimed_by)
        actor = stix2.ThreatActor(
            id=_derived_id("threat-actor", name.casefold()),
            name=name,
            threat_actor_types=["terrorist"],
            created_by_ref=node.identity_id,
            object_marking_refs=marking,
            created=EPOCH,
            modified=EPOCH,
        )
        sighting = stix2.Sighting(
            id=_derived_id("sighting", str(incident.id)),
            sighting_of_ref=actor.id,
            where_sighted_refs=[location.id],
            first_seen=incident.occurred_at,
            last_seen=incident.occurred_at,
            count=1,
            **common,
        )
        objects += [actor, _relationship(stix_incident.id, "attributed-to", actor.id, common), sighting]
    if investigation is not None and "investigation_status" not in withheld:
        objects.append(_investigation_note(incident, investigation, node, marking))
    return objects


def _investigation_note(incident: Any, investigation: Any, node: Node, marking: list[str]) -> stix2.Note:
    progress = {
        "status": investigation.status,
        "arrests": investigation.arrests,
        "charges": investigation.charges or None,
        "prosecution": investigation.prosecution or None,
        "next_hearing": investigation.next_hearing.isoformat() if investigation.next_hearing else None,
    }
    summary = "; ".join(f"{key.replace('_', ' ')}: {value}" for key, value in progress.items() if value)
    return stix2.Note(
        id=_derived_id("note", f"investigation:{incident.id}"),
        abstract="Investigation",
        content=summary,
        object_refs=[f"incident--{incident.id}"],
        created_by_ref=node.identity_id,
        object_marking_refs=marking,
        created=investigation.created_at,
        modified=max(investigation.updated_at, investigation.created_at),
        extensions={INVESTIGATION_EXTENSION: {k: v for k, v in progress.items() if v is not None}},
    )


def threat_level_objects(change: Any, node: Node, tlp: Tlp) -> list[Any]:
    """A threat-level change as a `report` (report_types threat-report) about the area's
    `location`: the new level, the one before, and why it changed."""
    province, _, district = change.area.partition("/")
    marking = [marking_id(tlp.value)]
    place = stix2.Location(
        id=_derived_id("location", f"area:{change.area}"),
        name=district or province,
        country=COUNTRY,
        administrative_area=province,
        city=district or None,
        created_by_ref=node.identity_id,
        object_marking_refs=marking,
        created=EPOCH,
        modified=EPOCH,
    )
    before = f"{change.previous_level} → " if change.previous_level is not None else ""
    report = stix2.Report(
        id=f"report--{change.id}",
        name=f"Threat level of {change.area}: {before}{change.level}",
        description=f"{change.cause}: {change.reason}" if change.reason else change.cause,
        report_types=["threat-report"],
        labels=[f"threat-level-{change.level}", f"cause-{change.cause}"],
        published=change.at,
        object_refs=[place.id],
        created_by_ref=node.identity_id,
        object_marking_refs=marking,
        created=change.at,
        modified=change.at,
    )
    return [place, report]


def _relationship(source: str, kind: str, target: str, common: dict[str, Any]) -> stix2.Relationship:
    return stix2.Relationship(
        id=_derived_id("relationship", f"{source}:{kind}:{target}"),
        source_ref=source,
        relationship_type=kind,
        target_ref=target,
        **common,
    )


def bundle(objects: list[Any], node: Node) -> stix2.Bundle:
    """A bundle with what its objects refer to: the node, our extension, the TLP definitions used."""
    used = {ref for o in objects for ref in o.get("object_marking_refs", [])}
    definitions = [item for item in tlp_definitions().values() if item["id"] in used]
    head = [node.identity(), *extension_definitions(node), *definitions]
    return stix2.Bundle(*head, *objects, allow_custom=False)


def as_json(item: Any) -> str:
    """Indented JSON of a STIX object or bundle. stix2's own pretty printer orders properties
    in quadratic time (minutes for a few hundred incidents), so the compact form is re-indented."""
    return orjson.dumps(orjson.loads(item.serialize()), option=orjson.OPT_INDENT_2).decode()
