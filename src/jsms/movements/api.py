"""HTTP API of routes and journeys: /api/v1/routes, /api/v1/journeys and their workflow steps."""

import uuid

from fastapi import APIRouter

from jsms.core.crud import Resource, add_routes
from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute, permits
from jsms.movements import schemas as s
from jsms.movements import service

router = APIRouter(prefix="/api/v1", route_class=UnitOfWorkRoute)


@router.post("/routes", tags=["routes"])
@permits("route.plan")
def plan_routes(data: s.RouteRequest, session: SessionDep, actor: ActorDep) -> dict:
    """Fastest, safest and balanced routes (and alternatives) as a GeoJSON FeatureCollection.

    Each feature's properties hold its `profile` (and every profile it is best for), distance,
    duration, risk exposure (intensity-hours), highest threat level, roads, checkpoints and the
    SOP requirements a journey on it triggers.
    """
    plans = service.plan(session, actor, data)
    return {"type": "FeatureCollection", "features": [p.feature() for p in plans]}


def journey_view(session, actor, journey) -> s.JourneyDetail:
    base = s.JourneyRead.model_validate(journey).model_dump()
    return s.JourneyDetail(
        **base,
        route=journey.route,
        checkpoints=journey.checkpoints,
        assessment=journey.assessment,
        checkin_schedule=journey.checkin_schedule,
        person_ids=[p.person_id for p in journey.persons],
        vehicles=[s.VehicleRead.model_validate(v) for v in journey.vehicles],
        events=[s.EventRead.model_validate(e) for e in journey.events],
        unmet_requirements=service.unmet_requirements(session, journey),
        conflicts=service.conflicts(session, journey),
    )


JOURNEYS = Resource(
    "journeys",
    "journeys",
    s.JourneyRead,
    s.JourneyCreate,
    s.JourneyUpdate,
    s.JourneyParams,
    service.list_journeys,
    service.get_journey,
    service.create_journey,
    service.update_journey,
    view=journey_view,
    detail=s.JourneyDetail,
    access=("journey.read", "journey.request"),
)
add_routes(router, JOURNEYS)
DETAIL = {"response_model": s.JourneyDetail, "tags": ["journeys"]}


@router.post("/journeys/{journey_id}/submit", **DETAIL)
@permits("journey.request")
def submit(journey_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """Ask for approval; refused while the journey double-books a vehicle or a person."""
    return journey_view(session, actor, service.submit(session, actor, journey_id))


@router.post("/journeys/{journey_id}/assign", **DETAIL)
@permits("journey.assign")
def assign(journey_id: uuid.UUID, data: s.EscortAssignment, session: SessionDep, actor: ActorDep):
    """Name the escort unit, its vehicles and the convoy leader (host roles only)."""
    return journey_view(session, actor, service.assign_escort(session, actor, journey_id, data))


@router.post("/journeys/{journey_id}/approve", **DETAIL)
@permits("journey.approve")
def approve(journey_id: uuid.UUID, session: SessionDep, actor: ActorDep, note: s.Note | None = None):
    """Approve; refused, with every reason, while an SOP requirement is unmet or a conflict remains."""
    return journey_view(
        session, actor, service.approve(session, actor, journey_id, note.note if note else "")
    )


@router.post("/journeys/{journey_id}/reject", **DETAIL)
@permits("journey.approve")
def reject(journey_id: uuid.UUID, data: s.Reason, session: SessionDep, actor: ActorDep):
    return journey_view(session, actor, service.reject(session, actor, journey_id, data.reason))


@router.post("/journeys/{journey_id}/revise", **DETAIL)
@permits("journey.request")
def revise(journey_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """Take a rejected journey back to a draft to change it."""
    return journey_view(session, actor, service.revise(session, actor, journey_id))


@router.post("/journeys/{journey_id}/start", **DETAIL)
@permits("journey.conduct")
def start(journey_id: uuid.UUID, session: SessionDep, actor: ActorDep, note: s.Note | None = None):
    return journey_view(session, actor, service.start(session, actor, journey_id, note.note if note else ""))


@router.post("/journeys/{journey_id}/complete", **DETAIL)
@permits("journey.conduct")
def complete(journey_id: uuid.UUID, session: SessionDep, actor: ActorDep, note: s.Note | None = None):
    return journey_view(
        session, actor, service.complete(session, actor, journey_id, note.note if note else "")
    )


@router.post("/journeys/{journey_id}/abort", **DETAIL)
@permits("journey.conduct")
def abort(journey_id: uuid.UUID, data: s.Reason, session: SessionDep, actor: ActorDep):
    return journey_view(session, actor, service.abort(session, actor, journey_id, data.reason))


@router.post(
    "/journeys/{journey_id}/checkins", status_code=201, tags=["journeys"], response_model=s.CheckInRead
)
@permits("journey.conduct")
def check_in(journey_id: uuid.UUID, data: s.CheckInCreate, session: SessionDep, actor: ActorDep):
    """An operator records a check-in (a convoy leader's radio call): it resets the missed check-in clock."""
    return service.check_in(session, actor, journey_id, data)


@router.get("/journeys/{journey_id}/checkins", tags=["journeys"], response_model=list[s.CheckInRead])
@permits("journey.read")
def checkins(journey_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    return service.checkins(session, actor, journey_id)
