"""Journey management: request, plan, check against the SOPs and other journeys, decide, conduct.

States: draft → submitted → approved | rejected; approved → under_way → completed | aborted
(an approved journey may also be aborted before it starts; a rejected one revised to a draft).
Every step is kept in the journey's timeline with who and when, and in the audit trail.

The route and its assessment are frozen into the journey when it is planned; approval checks
the frozen requirements (armoured vehicle, escorts, hours, group size, approval level) and
refuses, saying why, while one is unmet or the journey conflicts with another.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.crud import ListRequest, list_page
from jsms.core.db import utcnow
from jsms.core.errors import Conflict, FieldError, Forbidden, Invalid, invalid_field
from jsms.core.i18n import N_
from jsms.core.policy import COMPANY_ROLES, active_policy, get_visible, mark_new, require, visible
from jsms.movements import routing
from jsms.movements import schemas as s
from jsms.movements.models import (
    RESERVING,
    Journey,
    JourneyCheckIn,
    JourneyEvent,
    JourneyPerson,
    JourneyVehicle,
)
from jsms.registry.models import Asset, ProtectedPerson, Unit

SORTABLE = ("window_start", "status", "created_at", "projected_arrival")
TEXT_COLUMNS = ("purpose", "origin_label", "destination_label", "requested_by")
ARMOURED = "armoured_vehicle"
VEHICLE_KINDS = ("vehicle", ARMOURED)
# Which transitions each action makes.
TRANSITIONS = {
    "submit": ({"draft"}, "submitted"),
    "approve": ({"submitted"}, "approved"),
    "reject": ({"submitted"}, "rejected"),
    "revise": ({"rejected"}, "draft"),
    "start": ({"approved"}, "under_way"),
    "complete": ({"under_way"}, "completed"),
    "abort": ({"approved", "under_way"}, "aborted"),
}


def list_journeys(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Journey], int]:
    return list_page(
        session,
        actor,
        Journey,
        query,
        text_columns=TEXT_COLUMNS,
        sortable=SORTABLE,
        default_sort="-window_start",
    )


def get_journey(session: Session, actor: Actor, journey_id: uuid.UUID) -> Journey:
    return get_visible(session, actor, Journey, journey_id)


# ---- planning ----------------------------------------------------------------------------


def plan(session: Session, actor: Actor, request: s.RouteRequest) -> list[routing.RoutePlan]:
    origin = routing.resolve_endpoint(session, actor, request.origin.model_dump(), "origin")
    destination = routing.resolve_endpoint(session, actor, request.destination.model_dump(), "destination")
    return routing.plan_routes(session, actor, origin, destination, request.depart_at, request.avoid)


def _choose(plans: list[routing.RoutePlan], choice: str) -> routing.RoutePlan:
    for candidate in plans:
        if choice in candidate.profiles or candidate.profile == choice:
            return candidate
    raise invalid_field("route", N_("there is no %(choice)s route between these places"), choice=choice)


def _freeze_route(
    session: Session,
    actor: Actor,
    journey: Journey,
    origin: s.Place,
    destination: s.Place,
    choice: str,
    avoid: list[dict[str, Any]],
) -> None:
    """Plan the routes again and keep the chosen one, with its assessment, in the journey."""
    start = routing.resolve_endpoint(session, actor, origin.model_dump(), "origin")
    end = routing.resolve_endpoint(session, actor, destination.model_dump(), "destination")
    plans = routing.plan_routes(session, actor, start, end, journey.window_start, avoid)
    chosen = _choose(plans, choice)
    journey.origin_label, journey.origin_lat, journey.origin_lon = start.label, start.lat, start.lon
    journey.origin_site_id = start.site_id
    journey.destination_label, journey.destination_lat = end.label, end.lat
    journey.destination_lon, journey.destination_site_id = end.lon, end.site_id
    journey.route_profile = choice
    properties = chosen.properties()
    journey.checkpoints = properties.pop("checkpoints")
    journey.assessment = {
        "sop_version": properties.pop("sop_version"),
        "requirements": properties.pop("requirements"),
        "applied_rules": properties.pop("applied_rules"),
        "threat_level": chosen.max_threat_level,
        "assessed_at": utcnow().isoformat(),
    }
    journey.route = {"coordinates": [list(c) for c in chosen.coordinates], "avoid": avoid, **properties}
    _set_times(journey, journey.window_start)


def _set_times(journey: Journey, departure: datetime) -> None:
    duration = timedelta(seconds=journey.route["duration_s"])
    journey.projected_arrival = departure + duration
    journey.occupied_until = max(journey.window_end, departure) + duration
    interval = timedelta(minutes=journey.assessment["requirements"]["checkin_interval_minutes"])
    times, moment = [], departure + interval
    while moment < journey.projected_arrival:
        times.append(moment.isoformat())
        moment += interval
    journey.checkin_schedule = [*times, journey.projected_arrival.isoformat()]


# ---- requests ----------------------------------------------------------------------------


def _may_request(session: Session, actor: Actor) -> None:
    require(session, actor, "journey.request")
    # Companies request for their own people; the partner state's officers only where the policy says so.
    partner_officer = actor.party == "partner" and actor.role not in COMPANY_ROLES
    if partner_officer and not active_policy(session).partner_may_request_journeys:
        raise Forbidden("Not permitted: the mechanism policy does not let the partner request journeys")


def create_journey(session: Session, actor: Actor, data: s.JourneyCreate) -> Journey:
    """A draft journey with its route planned and assessed; refused if it double-books anyone."""
    _may_request(session, actor)
    journey = Journey(
        purpose=data.purpose,
        status="draft",
        requested_by=actor.username,
        requesting_org_id=data.requesting_org_id or actor.organisation_id,
        window_start=data.window_start,
        window_end=data.window_end,
    )
    mark_new(session, actor, journey, "journey", data.tlp)
    require(session, actor, "journey.request", journey)  # a company may request for its own org only
    _freeze_route(session, actor, journey, data.origin, data.destination, data.route, data.avoid)
    _set_persons(session, actor, journey, data.person_ids)
    _set_vehicles(session, actor, journey, data.vehicle_ids, "transport")
    session.add(journey)
    _record(journey, actor, "created")
    session.flush()
    _refuse_conflicts(session, journey)
    return journey


def update_journey(session: Session, actor: Actor, journey_id: uuid.UUID, data: s.JourneyUpdate) -> Journey:
    journey = get_journey(session, actor, journey_id)
    _may_request(session, actor)
    require(session, actor, "journey.request", journey)
    if journey.status != "draft":
        raise Conflict(f"The journey is {journey.status}; only a draft can be changed")
    changes = data.model_dump(exclude_unset=True)
    start = changes.get("window_start", journey.window_start)
    end = changes.get("window_end", journey.window_end)
    s.Window(window_start=start, window_end=end)  # the same checks as on creation
    journey.window_start, journey.window_end = start, end
    if "purpose" in changes:
        journey.purpose = data.purpose
    if changes.keys() & {"window_start", "window_end", "origin", "destination", "route", "avoid"}:
        _freeze_route(
            session,
            actor,
            journey,
            data.origin or _place_of(journey, "origin"),
            data.destination or _place_of(journey, "destination"),
            data.route or journey.route_profile,
            data.avoid if data.avoid is not None else journey.route.get("avoid", []),
        )
    if data.person_ids is not None:
        _set_persons(session, actor, journey, data.person_ids)
    if data.vehicle_ids is not None:
        _set_vehicles(session, actor, journey, data.vehicle_ids, "transport")
    _record(journey, actor, "changed")
    session.flush()
    _refuse_conflicts(session, journey)
    return journey


def _place_of(journey: Journey, end: str) -> s.Place:
    site = getattr(journey, f"{end}_site_id")
    if site is not None:
        return s.Place(site_id=site)
    return s.Place(lat=getattr(journey, f"{end}_lat"), lon=getattr(journey, f"{end}_lon"))


def _set_persons(session: Session, actor: Actor, journey: Journey, person_ids: list[uuid.UUID]) -> None:
    for person_id in dict.fromkeys(person_ids):
        get_visible(session, actor, ProtectedPerson, person_id)  # 404 if not there or withheld
    journey.persons = [JourneyPerson(person_id=p) for p in dict.fromkeys(person_ids)]


def _set_vehicles(
    session: Session, actor: Actor, journey: Journey, asset_ids: list[uuid.UUID], role: str
) -> None:
    for asset_id in dict.fromkeys(asset_ids):
        asset = get_visible(session, actor, Asset, asset_id)
        if asset.kind not in VEHICLE_KINDS:
            raise invalid_field("vehicle_ids", N_("%(name)s is not a vehicle"), name=asset.name)
        if asset.status != "in_service":
            raise invalid_field(
                "vehicle_ids",
                N_("%(name)s is not in service (%(status)s)"),
                name=asset.name,
                status=asset.status,
            )
    kept = [v for v in journey.vehicles if v.role != role]
    journey.vehicles = kept + [JourneyVehicle(asset_id=a, role=role) for a in dict.fromkeys(asset_ids)]


def _record(journey: Journey, actor: Actor, action: str, note: str = "") -> None:
    journey.events.append(
        JourneyEvent(at=utcnow(), actor=actor.username, action=action, status=journey.status, note=note)
    )


# ---- checks ------------------------------------------------------------------------------


def conflicts(session: Session, journey: Journey) -> list[s.Finding]:
    """Other journeys holding the same vehicles or persons at the same time; an escort unit over capacity."""
    overlapping = select(Journey.id).where(
        Journey.id != journey.id,
        Journey.status.in_(RESERVING),
        Journey.window_start < journey.occupied_until,
        Journey.occupied_until > journey.window_start,
    )
    found: list[s.Finding] = []
    double_bookings = (
        (
            "vehicle_double_booked",
            N_("Vehicle %(name)s is already on journey %(journey)s at that time"),
            select(JourneyVehicle.journey_id, Asset.name)
            .join(Asset, Asset.id == JourneyVehicle.asset_id)
            .where(JourneyVehicle.asset_id.in_([v.asset_id for v in journey.vehicles])),
            JourneyVehicle.journey_id,
        ),
        (
            "person_double_booked",
            N_("%(name)s is already on journey %(journey)s at that time"),
            select(JourneyPerson.journey_id, ProtectedPerson.full_name)
            .join(ProtectedPerson, ProtectedPerson.id == JourneyPerson.person_id)
            .where(JourneyPerson.person_id.in_([p.person_id for p in journey.persons])),
            JourneyPerson.journey_id,
        ),
    )
    for code, template, booked, booked_journey in double_bookings:
        for other_id, name in session.execute(booked.where(booked_journey.in_(overlapping))):
            found.append(s.Finding.of(code, template, other_id, name=name, journey=str(other_id)))
    if journey.escort_unit_id is not None:
        found += _escort_capacity(session, journey, overlapping)
    return found


def _escort_capacity(session: Session, journey: Journey, overlapping) -> list[s.Finding]:
    """The escort unit must have enough vehicles free at that time for the escort the SOPs require."""
    unit = session.get(Unit, journey.escort_unit_id)
    capacity = session.scalar(
        select(func.count(Asset.id)).where(
            Asset.assigned_unit_id == journey.escort_unit_id,
            Asset.kind.in_(VEHICLE_KINDS),
            Asset.status == "in_service",
        )
    )
    busy = session.scalar(
        select(func.count(JourneyVehicle.id))
        .join(Asset, Asset.id == JourneyVehicle.asset_id)
        .where(
            JourneyVehicle.journey_id.in_(overlapping),
            Asset.assigned_unit_id == journey.escort_unit_id,
        )
    )
    assigned = sum(1 for v in journey.vehicles if v.role == "escort")
    needed = max(journey.assessment["requirements"]["escort_vehicles"], assigned)
    if capacity - busy >= needed:
        return []
    name = unit.call_sign or unit.node.name
    return [
        s.Finding.of(
            "escort_over_capacity",
            N_(
                "Escort unit %(name)s has %(capacity)s vehicles and %(busy)s of them are on other "
                "journeys at that time; this journey needs %(needed)s"
            ),
            name=name,
            capacity=capacity,
            busy=busy,
            needed=needed,
        )
    ]


def _refuse_conflicts(session: Session, journey: Journey) -> None:
    found = conflicts(session, journey)
    if found:
        raise Conflict("; ".join(f.message for f in found))


def unmet_requirements(session: Session, journey: Journey) -> list[s.Finding]:
    """What the SOPs frozen into the journey require and the journey does not (yet) have."""
    required = journey.assessment["requirements"]
    rules = ", ".join(journey.assessment.get("applied_rules") or []) or "baseline"
    level = journey.assessment["threat_level"]
    why = {"level": level, "rules": rules}
    found: list[s.Finding] = []
    transport = [v.asset_id for v in journey.vehicles if v.role == "transport"]
    kinds = {
        asset: kind
        for asset, kind in session.execute(select(Asset.id, Asset.kind).where(Asset.id.in_(transport)))
    }
    if required["armoured_vehicle"] and ARMOURED not in kinds.values():
        found.append(
            s.Finding.of(
                "armoured_vehicle",
                N_(
                    "The SOPs require an armoured vehicle (threat level %(level)s on the route; rules: "
                    "%(rules)s); none of the journey's vehicles is armoured"
                ),
                **why,
            )
        )
    escorts = sum(1 for v in journey.vehicles if v.role == "escort")
    if escorts < required["escort_vehicles"]:
        found.append(
            s.Finding.of(
                "escort_vehicles",
                N_(
                    "The SOPs require %(needed)s escort vehicles (threat level %(level)s on the route; "
                    "rules: %(rules)s); %(assigned)s assigned"
                ),
                needed=required["escort_vehicles"],
                assigned=escorts,
                **why,
            )
        )
    start, end = required["allowed_hours"]
    leaves = routing.local_time(journey.window_start)
    arrives = routing.local_time(journey.window_end + timedelta(seconds=journey.route["duration_s"]))
    if not (
        arrives.date() == leaves.date()
        and start <= leaves.hour + leaves.minute / 60
        and arrives.hour + arrives.minute / 60 <= end
    ):
        found.append(
            s.Finding.of(
                "allowed_hours",
                N_(
                    "Travel is allowed from %(start)s to %(end)s local time (threat level %(level)s on the "
                    "route; rules: %(rules)s); the journey may leave at %(leaves)s and arrive as late as "
                    "%(arrives)s on day %(day)s"
                ),
                start=f"{start:02d}:00",
                end=f"{end:02d}:00",
                leaves=f"{leaves:%H:%M}",
                arrives=f"{arrives:%H:%M}",
                day=f"{arrives:%d}",
                **why,
            )
        )
    if len(journey.persons) > required["max_group_size"]:
        found.append(
            s.Finding.of(
                "group_size",
                N_(
                    "At most %(most)s persons may travel together (threat level %(level)s on the route; "
                    "rules: %(rules)s); the journey has %(count)s"
                ),
                most=required["max_group_size"],
                count=len(journey.persons),
                **why,
            )
        )
    if not journey.convoy_leader:
        found.append(s.Finding.of("convoy_leader", N_("No convoy leader is named")))
    return found


# ---- decisions and conduct ---------------------------------------------------------------


def _move(journey: Journey, action: str) -> None:
    allowed_from, to = TRANSITIONS[action]
    if journey.status not in allowed_from:
        raise Conflict(f"The journey is {journey.status}; it cannot be {_PAST[action]} now")
    journey.status = to


_PAST = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "revise": "revised",
    "start": "started",
    "complete": "completed",
    "abort": "aborted",
}


def submit(session: Session, actor: Actor, journey_id: uuid.UUID) -> Journey:
    journey = get_journey(session, actor, journey_id)
    _may_request(session, actor)
    require(session, actor, "journey.request", journey)
    _refuse_conflicts(session, journey)
    _move(journey, "submit")
    _record(journey, actor, "submitted")
    session.flush()
    return journey


def revise(session: Session, actor: Actor, journey_id: uuid.UUID) -> Journey:
    journey = get_journey(session, actor, journey_id)
    _may_request(session, actor)
    require(session, actor, "journey.request", journey)
    _move(journey, "revise")
    _record(journey, actor, "revised")
    session.flush()
    return journey


def assign_escort(session: Session, actor: Actor, journey_id: uuid.UUID, data: s.EscortAssignment) -> Journey:
    """The host names the escorting unit, its vehicles and the convoy leader."""
    journey = get_journey(session, actor, journey_id)
    require(session, actor, "journey.assign", journey)
    if journey.status not in ("draft", "submitted", "approved"):
        raise Conflict(f"The journey is {journey.status}; escorts can no longer be assigned")
    unit = get_visible(session, actor, Unit, data.escort_unit_id)
    for asset_id in data.escort_vehicle_ids:
        asset = get_visible(session, actor, Asset, asset_id)
        if asset.assigned_unit_id != unit.id:
            raise invalid_field(
                "escort_vehicle_ids", N_("%(name)s does not belong to the escort unit"), name=asset.name
            )
    if set(data.escort_vehicle_ids) & {v.asset_id for v in journey.vehicles if v.role == "transport"}:
        raise invalid_field(
            "escort_vehicle_ids", N_("a vehicle cannot both carry the persons and escort them")
        )
    journey.escort_unit_id = unit.id
    _set_vehicles(session, actor, journey, data.escort_vehicle_ids, "escort")
    journey.convoy_leader = data.convoy_leader
    journey.convoy_leader_call_sign = data.convoy_leader_call_sign
    _record(journey, actor, "escort_assigned", f"{unit.node.name}: {len(data.escort_vehicle_ids)} vehicles")
    session.flush()
    if journey.status != "draft":
        _refuse_conflicts(session, journey)
    return journey


def approve(session: Session, actor: Actor, journey_id: uuid.UUID, note: str = "") -> Journey:
    """Approve a submitted journey: only if every SOP requirement is met and nothing conflicts."""
    journey = get_journey(session, actor, journey_id)
    require(session, actor, "journey.approve", journey)
    if journey.status != "submitted":
        raise Conflict(f"The journey is {journey.status}; only a submitted journey can be approved")
    level = journey.assessment["requirements"]["approval_level"]
    if level == "commander" and actor.role != "host_commander" and not actor.is_system:
        raise Forbidden("Not permitted: the SOPs require a commander's approval for this journey")
    problems = unmet_requirements(session, journey) + conflicts(session, journey)
    if problems:
        raise Invalid(
            "The journey cannot be approved: " + "; ".join(p.message for p in problems),
            [
                FieldError(["journey", p.code], p.message, template=p.template, params=p.params)
                for p in problems
            ],
        )
    _move(journey, "approve")
    journey.decision_reason = note or None
    _record(journey, actor, "approved", note)
    session.flush()
    return journey


def reject(session: Session, actor: Actor, journey_id: uuid.UUID, reason: str) -> Journey:
    journey = get_journey(session, actor, journey_id)
    require(session, actor, "journey.approve", journey)
    _move(journey, "reject")
    journey.decision_reason = reason
    _record(journey, actor, "rejected", reason)
    session.flush()
    return journey


def start(session: Session, actor: Actor, journey_id: uuid.UUID, note: str = "") -> Journey:
    """The convoy leaves: arrival and check-ins are projected from the real departure."""
    journey = get_journey(session, actor, journey_id)
    require(session, actor, "journey.conduct", journey)
    _move(journey, "start")
    _set_times(journey, utcnow())
    _record(journey, actor, "started", note)
    session.flush()
    return journey


def complete(session: Session, actor: Actor, journey_id: uuid.UUID, note: str = "") -> Journey:
    journey = get_journey(session, actor, journey_id)
    require(session, actor, "journey.conduct", journey)
    _move(journey, "complete")
    journey.occupied_until = max(utcnow(), journey.window_start)
    _record(journey, actor, "completed", note)
    session.flush()
    return journey


def abort(session: Session, actor: Actor, journey_id: uuid.UUID, reason: str) -> Journey:
    journey = get_journey(session, actor, journey_id)
    require(session, actor, "journey.conduct", journey)
    _move(journey, "abort")
    journey.decision_reason = reason
    journey.occupied_until = max(utcnow(), journey.window_start)
    _record(journey, actor, "aborted", reason)
    session.flush()
    return journey


# ---- live tracking -----------------------------------------------------------------------

# Approved journeys are watched from this long before their window opens (an early departure is seen).
WATCH_BEFORE = timedelta(hours=2)


def _watched(now: datetime):
    return (Journey.status == "under_way") | (
        (Journey.status == "approved")
        & (Journey.window_start <= now + WATCH_BEFORE)
        & (Journey.occupied_until >= now - timedelta(hours=12))
    )


def monitored(session: Session, now: datetime) -> list[Journey]:
    """Journeys the live engine watches: under way, or approved and near their departure window."""
    return list(session.scalars(select(Journey).where(_watched(now))))


def monitored_versions(session: Session, now: datetime) -> dict[uuid.UUID, int]:
    """The same journeys' ids and versions: a cheap way to see whether anything changed."""
    return {i: v for i, v in session.execute(select(Journey.id, Journey.version).where(_watched(now)))}


def record_checkin(
    session: Session, actor: Actor, journey_id: uuid.UUID, data: s.CheckInCreate
) -> JourneyCheckIn:
    """A check-in for a journey under way (the caller has checked who may make it)."""
    journey = session.get(Journey, journey_id)
    if journey is None or journey.status != "under_way":
        raise Conflict("Check-ins are for journeys under way")
    checkin = JourneyCheckIn(
        journey_id=journey_id,
        at=utcnow(),
        by=actor.username,
        method=data.method,
        person_id=data.person_id,
        lat=data.lat,
        lon=data.lon,
        note=data.note,
    )
    session.add(checkin)
    session.flush()
    return checkin


def check_in(session: Session, actor: Actor, journey_id: uuid.UUID, data: s.CheckInCreate) -> JourneyCheckIn:
    """An operator records a check-in (a convoy leader's radio call, for instance)."""
    journey = get_journey(session, actor, journey_id)
    require(session, actor, "journey.conduct", journey)
    return record_checkin(session, actor, journey.id, data.model_copy(update={"method": "operator"}))


def last_checkins(session: Session, journey_ids: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    rows = session.execute(
        select(JourneyCheckIn.journey_id, func.max(JourneyCheckIn.at))
        .where(JourneyCheckIn.journey_id.in_(journey_ids))
        .group_by(JourneyCheckIn.journey_id)
    )
    return dict(rows.all())


def checkins(session: Session, actor: Actor, journey_id: uuid.UUID) -> list[JourneyCheckIn]:
    journey = get_journey(session, actor, journey_id)
    return list(
        session.scalars(
            select(JourneyCheckIn).where(JourneyCheckIn.journey_id == journey.id).order_by(JourneyCheckIn.at)
        )
    )


def journeys_of(session: Session, asset_ids: list[uuid.UUID], person_ids: list[uuid.UUID]) -> list[Journey]:
    """Journeys under way or approved that carry any of these vehicles or persons."""
    vehicle_journeys = select(JourneyVehicle.journey_id).where(JourneyVehicle.asset_id.in_(asset_ids))
    person_journeys = select(JourneyPerson.journey_id).where(JourneyPerson.person_id.in_(person_ids))
    return list(
        session.scalars(
            select(Journey).where(
                Journey.status.in_(("approved", "under_way")),
                Journey.id.in_(vehicle_journeys) | Journey.id.in_(person_journeys),
            )
        )
    )


def visible_ids(
    session: Session, actor: Actor, journey_ids: set[uuid.UUID], statuses: tuple[str, ...] = ("under_way",)
) -> set[uuid.UUID]:
    """Which of these journeys the actor may see, among those in these states."""
    if not journey_ids:
        return set()
    stmt = select(Journey.id).where(Journey.id.in_(journey_ids), Journey.status.in_(statuses))
    return set(session.scalars(visible(stmt, session, actor, Journey)))


def completed_between(session: Session, actor: Actor, start: datetime, end: datetime) -> list[Journey]:
    """Journeys the actor may see that were completed in [start, end) (for reports)."""
    done = select(JourneyEvent.journey_id).where(
        JourneyEvent.action == "complete", JourneyEvent.at >= start, JourneyEvent.at < end
    )
    stmt = visible(select(Journey), session, actor, Journey).where(Journey.id.in_(done))
    return list(session.scalars(stmt.order_by(Journey.window_start)))


def under_way(session: Session, actor: Actor) -> list[Journey]:
    """Journeys the actor may see that are under way now."""
    stmt = visible(select(Journey), session, actor, Journey).where(Journey.status == "under_way")
    return list(session.scalars(stmt.order_by(Journey.window_start)))
