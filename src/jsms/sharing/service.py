"""What leaves the node for the other party's node, and what comes in from it, as STIX 2.1.

Leaving: the node's own verified records that the marking rule lets the other party read
(`policy.release_filter`, decided in SQL), without the fields the policy withholds, each logged in
the release log (what left, for whom, by which way, in which version). A preview shows exactly the
same objects without logging them.

Coming in: a STIX 2.1 bundle becomes local records linked to their origin.

A bundle is checked whole before anything is written: every object by the stix2 library, every
incident for what a local incident needs; one broken object refuses the bundle and each is named.
Then each incident is created (first time), updated (a later `modified`) or left alone (a version
already taken in), so taking in the same bundle again adds nothing.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import stix2
import stix2.exceptions
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from jsms.core.actor import Actor
from jsms.core.config import get_settings
from jsms.core.db import utcnow
from jsms.core.errors import FieldError, Invalid
from jsms.core.models import ReleaseRecord
from jsms.core.policy import active_policy, may_release, peer, reader_for, release_filter, require
from jsms.incidents import schemas as incident_schemas
from jsms.incidents import service as incidents
from jsms.incidents.models import Incident
from jsms.risk.models import ThreatLevelChange
from jsms.sharing import stix
from jsms.sharing.models import ReceivedObject

SOURCE_SYSTEM = "partner"
RELEASED_STATES = ("verified", "closed")  # drafts and rejected reports stay home
CHANNELS = ("export", "taxii", "push", "email", "webhook", "report")


def this_node() -> stix.Node:
    settings = get_settings()
    return stix.Node(settings.node_id, f"JSMS node {settings.node_id} ({settings.node_party})")


# ---- leaving -------------------------------------------------------------------------------


def releasable_incidents(
    session: Session, actor: Actor, audience: str, changed_after: datetime | None = None
) -> list[Incident]:
    """The incidents this node releases to `audience`'s node, oldest change first."""
    require(session, actor, "sharing.release")
    stmt = (
        select(Incident)
        .where(
            release_filter(session, get_settings().node_party, audience, Incident),
            Incident.state.in_(RELEASED_STATES),
        )
        .options(selectinload(Incident.sources), selectinload(Incident.investigation))
        .order_by(Incident.updated_at, Incident.id)
    )
    if changed_after is not None:
        stmt = stmt.where(Incident.updated_at > changed_after)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Release:
    """One record as it leaves: what it is, its version, its marking, and its STIX objects."""

    object_type: str  # incident | threat_level_change
    object_id: uuid.UUID
    stix_id: str
    version: datetime
    tlp: str
    objects: list[Any]


def release_groups(
    session: Session, actor: Actor, audience: str, changed_after: datetime | None = None
) -> list[Release]:
    """Everything this node releases to `audience` (changed after `changed_after`, if given),
    oldest change first: each incident with its place, group, sighting and investigation note
    (the withheld fields left out), and each threat-level change as a report."""
    withheld = frozenset(active_policy(session).redactions.get("incident", [])) & stix.WITHHOLDABLE
    node = this_node()
    found = [
        Release(
            "incident",
            incident.id,
            f"incident--{incident.id}",
            incident.updated_at,
            incident.tlp,
            stix.incident_objects(incident, node, withheld),
        )
        for incident in releasable_incidents(session, actor, audience, changed_after)
    ]
    found += threat_level_releases(session, audience, changed_after, node)
    return sorted(found, key=lambda release: (release.version, release.stix_id))


def threat_level_releases(
    session: Session, audience: str, changed_after: datetime | None, node: stix.Node
) -> list[Release]:
    """The node's threat-level changes, marked as the policy marks threat levels, as STIX reports
    — if that marking lets `audience` read them."""
    tlp = active_policy(session).default_marking("threat_level")
    values = {"tlp": tlp.value, "owner_party": get_settings().node_party, "release_to": []}
    if not may_release(reader_for(session, peer(audience)), None, values):
        return []
    stmt = select(ThreatLevelChange).order_by(ThreatLevelChange.at, ThreatLevelChange.id)
    if changed_after is not None:
        stmt = stmt.where(ThreatLevelChange.at > changed_after)
    return [
        Release(
            "threat_level_change",
            change.id,
            f"report--{change.id}",
            change.at,
            tlp.value,
            stix.threat_level_objects(change, node, tlp),
        )
        for change in session.scalars(stmt)
    ]


def release_objects(session: Session, actor: Actor, audience: str) -> tuple[list[Release], list[Any]]:
    """What is released and all its STIX objects."""
    groups = release_groups(session, actor, audience)
    return groups, [o for release in groups for o in release.objects]


def preview(session: Session, actor: Actor, audience: str) -> stix2.Bundle:
    """Exactly what `release` would send to `audience`, logging nothing."""
    _, objects = release_objects(session, actor, audience)
    return stix.bundle(objects, this_node())


def release(session: Session, actor: Actor, audience: str, channel: str) -> stix2.Bundle:
    """The bundle for `audience`'s node by `channel`, each record in it logged as released."""
    chosen, objects = release_objects(session, actor, audience)
    log_release(session, actor, audience, channel, chosen)
    return stix.bundle(objects, this_node())


def log_release(session: Session, actor: Actor, audience: str, channel: str, chosen: list[Release]) -> None:
    """Record in the release log that these records (their current versions) left for `audience`."""
    if channel not in CHANNELS:
        raise Invalid(f"Unknown channel {channel!r}; one of {', '.join(CHANNELS)}")
    now = utcnow()
    session.add_all(
        ReleaseRecord(
            at=now,
            audience=audience,
            channel=channel,
            actor=actor.username,
            object_type=release.object_type,
            object_id=release.object_id,
            stix_id=release.stix_id,
            version=release.version,
            tlp=release.tlp,
        )
        for release in chosen
    )


# ---- coming in -----------------------------------------------------------------------------


@dataclass
class Received:
    """What taking in a bundle did."""

    created: list[str] = field(default_factory=list)  # STIX ids of incidents
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)  # threat reports kept (new or a later version)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} already up to date, {len(self.reports)} reports"
        )


def read_bundle(raw: bytes | str) -> list[Any]:
    """The objects of a STIX 2.1 bundle, each checked by the stix2 library; every broken one named."""
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise Invalid(f"The bundle is not JSON: {error}") from None
    if (
        not isinstance(data, dict)
        or data.get("type") != "bundle"
        or not isinstance(data.get("objects"), list)
    ):
        raise Invalid('A STIX bundle is a JSON object with "type": "bundle" and a list "objects"')
    objects, errors = [], []
    for index, item in enumerate(data["objects"]):
        name = item.get("id") if isinstance(item, dict) else None
        try:
            objects.append(stix2.parse(item, allow_custom=False, version="2.1"))
        except (stix2.exceptions.STIXError, ValueError, TypeError, KeyError) as error:
            errors.append(FieldError(["objects", index], f"{name or 'an object without an id'}: {error}"))
    if errors:
        raise Invalid(_refused(errors, len(objects) + len(errors)), errors)
    return objects


def _refused(errors: list[FieldError], total: int) -> str:
    named = "; ".join(error.msg for error in errors[:5])
    return f"{len(errors)} of {total} objects in the bundle are invalid; nothing was taken in: {named}"


def _links(objects: list[Any]) -> dict[tuple[str, str], Any]:
    """(source id, relationship type) → the target object, for the relationships in the bundle."""
    by_id = {o["id"]: o for o in objects}
    return {
        (o["source_ref"], o["relationship_type"]): by_id.get(o["target_ref"])
        for o in objects
        if o["type"] == "relationship"
    }


def _incident_data(item: Any, links: dict[tuple[str, str], Any]) -> incident_schemas.IncidentCreate:
    """The local incident a STIX incident describes (Invalid, naming it, when it cannot be one)."""
    details = item.get("extensions", {}).get(stix.DETAILS_EXTENSION)
    if details is None:
        raise Invalid(f"{item['id']}: no {stix.DETAILS_EXTENSION} extension, so no time or type of event")
    place = links.get((item["id"], "located-at"))
    if place is None or place.get("latitude") is None:
        raise Invalid(f"{item['id']}: no location with coordinates (a located-at relationship)")
    group = links.get((item["id"], "attributed-to"))
    sources = [
        {
            "title": ref.get("description") or ref["source_name"],
            "url": ref.get("url"),
            "publisher": ref["source_name"],
        }
        for ref in item.get("external_references", [])
    ]
    values = {
        "title": item["name"],
        "narrative": item.get("description") or "",
        "occurred_at": details["occurred"],
        "time_precision": details["time_precision"],
        "lat": place["latitude"],
        "lon": place["longitude"],
        "place_name": place.get("name") or "",
        "kind": details["event_type"],
        "target_category": details.get("target_category", "other"),
        "protected_nationality_targeted": details.get("protected_nationality_targeted", False),
        "killed": details.get("killed"),
        "injured": details.get("injured"),
        "killed_protected": details.get("killed_protected"),
        "injured_protected": details.get("injured_protected"),
        "claimed_by": group["name"] if group is not None else None,
        "sources": sources,
        "tlp": stix.tlp_of(item.get("object_marking_refs", [])),
    }
    try:
        return incident_schemas.IncidentCreate.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise Invalid(f"{item['id']}: {problems}") from None


def _not_our_own(session: Session, item: Any) -> None:
    """A node does not take its own records back in (our STIX incident ids are our incidents' ids)."""
    own = session.get(Incident, uuid.UUID(item["id"].partition("--")[2]))
    if own is not None and own.source_system != SOURCE_SYSTEM:
        raise Invalid(f"{item['id']}: this node's own record; it is not taken back in")


def take_in(session: Session, actor: Actor, raw: bytes | str, from_party: str) -> Received:
    """Take in a bundle from the node of `from_party` (see the module's docstring)."""
    require(session, actor, "sharing.receive")
    objects = read_bundle(raw)
    links = _links(objects)
    wanted, progress, errors = [], [], []
    for index, item in enumerate(objects):
        try:
            if item["type"] == "incident":
                _not_our_own(session, item)
                wanted.append((item, _incident_data(item, links)))
            elif item["type"] == "note" and stix.INVESTIGATION_EXTENSION in item.get("extensions", {}):
                progress.append((item, _investigation_data(item)))
        except Invalid as error:
            errors.append(FieldError(["objects", index], str(error)))
    if errors:
        raise Invalid(_refused(errors, len(objects)), errors)
    received = Received()
    for item, data in wanted:
        link = session.get(ReceivedObject, item["id"])
        if link is not None and link.modified >= item["modified"]:
            received.unchanged.append(item["id"])
            continue
        _take_incident(session, actor, item, data, link, from_party)
        (received.updated if link is not None else received.created).append(item["id"])
    for item, data in progress:
        _take_investigation(session, actor, item, data)
    threat_reports = [o for o in objects if o["type"] == "report" and "threat-report" in o["report_types"]]
    received.reports = [item["id"] for item in threat_reports if _keep_report(session, item)]
    return received


def _keep_report(session: Session, item: Any) -> bool:
    """Keep the other node's threat report (a later version replaces it); False if known."""
    link = session.get(ReceivedObject, item["id"])
    if link is not None and link.modified >= item["modified"]:
        return False
    link = link or ReceivedObject(stix_id=item["id"], object_type="report", local_id=None)
    link.name = item["name"][:300]
    link.origin = item.get("created_by_ref") or "unknown"
    link.modified = item["modified"]
    link.received_at = utcnow()
    session.add(link)
    return True


def _investigation_data(item: Any) -> incident_schemas.InvestigationIn:
    values = dict(item["extensions"][stix.INVESTIGATION_EXTENSION])
    values.pop("extension_type", None)
    try:
        return incident_schemas.InvestigationIn.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise Invalid(f"{item['id']}: {problems}") from None


def _take_investigation(session, actor, item, data: incident_schemas.InvestigationIn) -> None:
    """The progress a note reports, onto the local incident it is about (a later note only)."""
    link = session.get(ReceivedObject, item["id"])
    if link is not None and link.modified >= item["modified"]:
        return
    about = [session.get(ReceivedObject, ref) for ref in item["object_refs"]]
    incident_link = next((a for a in about if a is not None and a.object_type == "incident"), None)
    if incident_link is None:
        return  # about an incident this node has not taken in (withheld there, or not yet sent)
    incidents.record_investigation(session, actor, incident_link.local_id, data)
    link = link or ReceivedObject(stix_id=item["id"], object_type="note", local_id=incident_link.local_id)
    link.origin = item.get("created_by_ref") or "unknown"
    link.modified = item["modified"]
    link.received_at = utcnow()
    session.add(link)


def _take_incident(session, actor, item, data, link: ReceivedObject | None, from_party: str) -> None:
    verified = item["extensions"][stix.DETAILS_EXTENSION].get("verification") == "verified"
    if link is None:
        incident = incidents.create_incident(
            session, actor, data, source_system=SOURCE_SYSTEM, external_id=item["id"]
        )
        link = ReceivedObject(stix_id=item["id"], object_type="incident", local_id=incident.id)
    else:
        update = incident_schemas.IncidentUpdate.model_validate(data.model_dump(exclude={"release_to"}))
        incident = incidents.update_incident(session, actor, link.local_id, update)
    link.origin = item.get("created_by_ref") or "unknown"
    link.modified = item["modified"]
    link.received_at = utcnow()
    session.add(link)
    incident.owner_party = from_party  # theirs: the policy treats it as the other party's record
    if verified and incident.state == "draft":
        incidents.verify_incident(session, actor, incident.id)
