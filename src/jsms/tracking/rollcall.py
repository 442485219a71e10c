"""Roll call after a verified incident: who may have been near it, and who is accounted for.

A person is on the roll call when, at the moment it opens, they were within the radius by the
best evidence we hold, in this order: the last position of a phone they carry; the last position
of a vehicle of the journey they are on (or, with no report yet, the journey's route); the site
where they are registered. Each is then accounted for by a check-in from the field or by an
operator, and the roll call completes when nobody is left unaccounted.
"""

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.db import utcnow
from jsms.core.errors import Conflict, NotFound, invalid_field
from jsms.core.live import publish_after_commit
from jsms.core.policy import get_visible, require, visible
from jsms.incidents.models import Incident
from jsms.movements.models import Journey, JourneyPerson
from jsms.registry.models import ProtectedPerson, Site
from jsms.tracking.geometry import distance_to_polyline, haversine_m
from jsms.tracking.models import Device, DeviceStatus, RollCall, RollCallEntry

DEFAULT_RADIUS_M = 10_000.0
FOUND_BY = ("last_ping", "journey", "site")  # best evidence first


@dataclass(frozen=True)
class Found:
    person_id: uuid.UUID
    found_by: str
    distance_m: float
    journey_id: uuid.UUID | None = None


# ---- who was near ----------------------------------------------------------------------


def persons_near(session: Session, lat: float, lon: float, radius_m: float) -> list[Found]:
    """Every protected person within the radius, each once, by the best evidence held."""
    found: dict[uuid.UUID, Found] = {}
    for candidate in (
        *_by_phone(session, lat, lon, radius_m),
        *_by_journey(session, lat, lon, radius_m),
        *_by_site(session, lat, lon, radius_m),
    ):
        found.setdefault(candidate.person_id, candidate)
    return list(found.values())


def _by_phone(session: Session, lat: float, lon: float, radius_m: float) -> list[Found]:
    rows = session.execute(
        select(Device.person_id, DeviceStatus.lat, DeviceStatus.lon, DeviceStatus.journey_id)
        .join(DeviceStatus, DeviceStatus.device_id == Device.id)
        .where(Device.person_id.is_not(None), Device.active, DeviceStatus.lat.is_not(None))
    ).all()
    return [
        Found(person, "last_ping", distance, journey)
        for (person, _, _, journey), distance in _within(rows, lat, lon, radius_m)
    ]


def _by_journey(session: Session, lat: float, lon: float, radius_m: float) -> list[Found]:
    """Persons on journeys under way: where a vehicle of the journey last reported, else its route."""
    under_way = session.scalars(select(Journey).where(Journey.status == "under_way")).all()
    if not under_way:
        return []
    ids = [j.id for j in under_way]
    last_seen = session.execute(
        select(DeviceStatus.journey_id, DeviceStatus.lat, DeviceStatus.lon)
        .where(DeviceStatus.journey_id.in_(ids), DeviceStatus.lat.is_not(None))
        .order_by(DeviceStatus.t)
    ).all()
    where = {journey_id: (jlat, jlon) for journey_id, jlat, jlon in last_seen}  # the latest wins
    near: dict[uuid.UUID, float] = {}
    for journey in under_way:
        if journey.id in where:
            distance = float(haversine_m(lat, lon, *where[journey.id]))
        else:
            distance = _distance_to_route(journey.route, lat, lon)
        if distance <= radius_m:
            near[journey.id] = distance
    if not near:
        return []
    persons = session.execute(
        select(JourneyPerson.person_id, JourneyPerson.journey_id).where(
            JourneyPerson.journey_id.in_(list(near))
        )
    ).all()
    return [Found(person, "journey", near[journey], journey) for person, journey in persons]


def _distance_to_route(route: dict[str, Any] | None, lat: float, lon: float) -> float:
    coordinates = np.asarray((route or {}).get("coordinates") or [], dtype=float)
    if len(coordinates) == 0:
        return float("inf")
    return distance_to_polyline(coordinates[:, 1], coordinates[:, 0], lat, lon)


def _by_site(session: Session, lat: float, lon: float, radius_m: float) -> list[Found]:
    sites = session.execute(select(Site.id, Site.lat, Site.lon).where(Site.lat.is_not(None))).all()
    near = {site_id: distance for (site_id, _, _), distance in _within(sites, lat, lon, radius_m)}
    if not near:
        return []
    persons = session.execute(
        select(ProtectedPerson.id, ProtectedPerson.site_id).where(
            ProtectedPerson.site_id.in_(list(near)), ProtectedPerson.status == "in_country"
        )
    ).all()
    return [Found(person, "site", near[site]) for person, site in persons]


def _within(rows, lat: float, lon: float, radius_m: float):
    """The rows (…, lat, lon, …: columns 1 and 2) within the radius, with their distance."""
    if not rows:
        return []
    distances = haversine_m(lat, lon, np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))
    return [(row, float(d)) for row, d in zip(rows, distances, strict=True) if d <= radius_m]


# ---- opening and accounting ------------------------------------------------------------


def open_roll_call(
    session: Session, actor: Actor, incident_id: uuid.UUID, radius_m: float = DEFAULT_RADIUS_M
) -> RollCall:
    """Open the roll call of a verified incident. There is one per incident: opening it again with
    a wider radius adds the persons the wider circle takes in (and reopens it if need be)."""
    require(session, actor, "rollcall.mark")
    incident = get_visible(session, actor, Incident, incident_id)
    if incident.state != "verified":
        raise Conflict("A roll call is opened for a verified incident")
    if incident.lat is None or incident.lon is None:
        raise invalid_field("incident_id", "The incident has no position to measure a radius from")
    roll_call = session.scalar(select(RollCall).where(RollCall.incident_id == incident_id))
    if roll_call is None:
        roll_call = RollCall(
            incident_id=incident.id,
            title=incident.title,
            lat=incident.lat,
            lon=incident.lon,
            radius_m=radius_m,
            opened_at=utcnow(),
            opened_by=actor.username,
            tlp=incident.tlp,
            owner_party=incident.owner_party,
            release_to=list(incident.release_to),
        )
        session.add(roll_call)
        session.flush()
    elif radius_m <= roll_call.radius_m:
        return roll_call
    roll_call.radius_m = radius_m
    if _add_persons_near(session, roll_call):
        roll_call.status, roll_call.completed_at = "open", None
    session.flush()
    _complete_if_done(session, roll_call)
    publish_after_commit(session, {"type": "rollcall", "roll_call_id": str(roll_call.id)})
    return roll_call


def _add_persons_near(session: Session, roll_call: RollCall) -> int:
    """Put everyone within the roll call's radius on it who is not on it yet; returns how many."""
    listed = set(
        session.scalars(select(RollCallEntry.person_id).where(RollCallEntry.roll_call_id == roll_call.id))
    )
    near = [
        f
        for f in persons_near(session, roll_call.lat, roll_call.lon, roll_call.radius_m)
        if f.person_id not in listed
    ]
    people = {
        p.id: p
        for p in session.scalars(
            select(ProtectedPerson).where(ProtectedPerson.id.in_([f.person_id for f in near]))
        )
    }
    for found in near:
        person = people[found.person_id]
        session.add(
            RollCallEntry(
                roll_call_id=roll_call.id,
                person_id=person.id,
                employer_org_id=person.employer_org_id,
                nationality=person.nationality,
                found_by=found.found_by,
                journey_id=found.journey_id,
                distance_m=round(found.distance_m, 1),
            )
        )
    return len(near)


def account_for(
    session: Session, actor: Actor, roll_call_id: uuid.UUID, person_ids: list[uuid.UUID], note: str = ""
) -> RollCall:
    """An operator marks persons accounted for (seen, phoned, reported by their site)."""
    roll_call = get_roll_call(session, actor, roll_call_id)
    require(session, actor, "rollcall.mark")
    entries = {
        e.person_id: e
        for e in session.scalars(
            select(RollCallEntry).where(
                RollCallEntry.roll_call_id == roll_call.id, RollCallEntry.person_id.in_(person_ids)
            )
        )
    }
    missing = [str(p) for p in person_ids if p not in entries]
    if missing:
        raise invalid_field("person_ids", f"Not on this roll call: {', '.join(missing)}")
    for entry in entries.values():
        require(session, actor, "rollcall.mark", entry)
        _mark(entry, actor.username, "operator", note)
    session.flush()
    _complete_if_done(session, roll_call)
    publish_after_commit(session, {"type": "rollcall", "roll_call_id": str(roll_call.id)})
    return roll_call


def account_by_checkin(
    session: Session, actor: Actor, person_id: uuid.UUID | None, journey_id: uuid.UUID | None
) -> int:
    """A check-in from the field accounts for the person who sent it on every open roll call, or,
    from a convoy's phone carried by nobody on the list, for everyone on that journey."""
    query = (
        select(RollCallEntry)
        .join(RollCall, RollCall.id == RollCallEntry.roll_call_id)
        .where(RollCall.status == "open", RollCallEntry.accounted_at.is_(None))
    )
    if person_id is not None:
        query = query.where(RollCallEntry.person_id == person_id)
    elif journey_id is not None:
        on_journey = select(JourneyPerson.person_id).where(JourneyPerson.journey_id == journey_id)
        query = query.where(RollCallEntry.person_id.in_(on_journey))
    else:
        return 0
    entries = list(session.scalars(query))
    for entry in entries:
        _mark(entry, actor.username, "checkin", "")
    session.flush()
    for roll_call_id in {e.roll_call_id for e in entries}:
        roll_call = session.get(RollCall, roll_call_id)
        _complete_if_done(session, roll_call)
        publish_after_commit(session, {"type": "rollcall", "roll_call_id": str(roll_call_id)})
    return len(entries)


def _mark(entry: RollCallEntry, by: str, how: str, note: str) -> None:
    if entry.accounted_at is None:
        entry.accounted_at = utcnow()
        entry.accounted_by = by
        entry.accounted_how = how
        entry.note = note


def _complete_if_done(session: Session, roll_call: RollCall) -> None:
    left = session.scalar(
        select(func.count())
        .select_from(RollCallEntry)
        .where(RollCallEntry.roll_call_id == roll_call.id, RollCallEntry.accounted_at.is_(None))
    )
    if left == 0 and roll_call.status == "open":
        roll_call.status = "complete"
        roll_call.completed_at = utcnow()
        session.flush()


# ---- reading ---------------------------------------------------------------------------


def _visible_roll_calls(session: Session, actor: Actor):
    # A roll call's header is seen by whoever may read roll calls and its incident; its entries,
    # personal data, by the roll call's own scoped rule (a company sees its own staff).
    require(session, actor, "rollcall.read")
    return visible(select(RollCall), session, actor, RollCall, action="incident.read")


def list_roll_calls(session: Session, actor: Actor, status: str | None = None) -> list[RollCall]:
    query = _visible_roll_calls(session, actor).order_by(RollCall.status.desc(), RollCall.opened_at.desc())
    if status is not None:
        query = query.where(RollCall.status == status)
    return list(session.scalars(query.limit(200)))


def get_roll_call(session: Session, actor: Actor, roll_call_id: uuid.UUID) -> RollCall:
    roll_call = session.scalar(_visible_roll_calls(session, actor).where(RollCall.id == roll_call_id))
    if roll_call is None:
        raise NotFound(f"No roll call with id {roll_call_id}")
    return roll_call


def entries_of(
    session: Session, actor: Actor, roll_call: RollCall
) -> list[tuple[RollCallEntry, ProtectedPerson]]:
    """The entries the actor may see, unaccounted first, nearest first."""
    query = visible(
        select(RollCallEntry, ProtectedPerson)
        .join(ProtectedPerson, ProtectedPerson.id == RollCallEntry.person_id)
        .where(RollCallEntry.roll_call_id == roll_call.id),
        session,
        actor,
        RollCallEntry,
    ).order_by(RollCallEntry.accounted_at.is_not(None), RollCallEntry.distance_m)
    return [(entry, person) for entry, person in session.execute(query)]


def counts(session: Session, roll_call_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int]]:
    """(persons, still unaccounted) per roll call, over all entries: the totals are not personal."""
    rows = session.execute(
        select(
            RollCallEntry.roll_call_id,
            func.count(),
            func.count().filter(RollCallEntry.accounted_at.is_(None)),
        )
        .where(RollCallEntry.roll_call_id.in_(roll_call_ids))
        .group_by(RollCallEntry.roll_call_id)
    ).all()
    found = {rid: (total, left) for rid, total, left in rows}
    return {rid: found.get(rid, (0, 0)) for rid in roll_call_ids}
