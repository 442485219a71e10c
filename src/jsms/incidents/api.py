"""HTTP API of incidents: /api/v1/incidents, verify / reject / close, investigation."""

import uuid

from fastapi import APIRouter

from jsms.core.crud import Resource, add_routes
from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute, permits
from jsms.incidents import schemas as s
from jsms.incidents import service

router = APIRouter(prefix="/api/v1", route_class=UnitOfWorkRoute)


def incident_view(session, actor, incident) -> s.IncidentDetail:
    view = s.IncidentRead.model_validate(incident).model_dump()
    investigation = service.investigation_of(session, actor, incident)
    return s.IncidentDetail(**view, investigation=investigation)


INCIDENTS = Resource(
    "incidents",
    "incidents",
    s.IncidentRead,
    s.IncidentCreate,
    s.IncidentUpdate,
    s.IncidentParams,
    service.list_incidents,
    service.get_incident,
    service.create_incident,
    service.update_incident,
    view=incident_view,
    detail=s.IncidentDetail,
    access=("incident.read", "incident.write"),
)
add_routes(router, INCIDENTS)


@router.post("/incidents/{incident_id}/verify", response_model=s.IncidentDetail, tags=["incidents"])
@permits("incident.verify")
def verify(incident_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """Verify a draft: from now on it counts in the risk picture and may be released to the partner."""
    return incident_view(session, actor, service.verify_incident(session, actor, incident_id))


@router.post("/incidents/{incident_id}/reject", response_model=s.IncidentDetail, tags=["incidents"])
@permits("incident.verify")
def reject(incident_id: uuid.UUID, data: s.RejectIncident, session: SessionDep, actor: ActorDep):
    return incident_view(session, actor, service.reject_incident(session, actor, incident_id, data.reason))


@router.post("/incidents/{incident_id}/close", response_model=s.IncidentDetail, tags=["incidents"])
@permits("incident.verify")
def close(incident_id: uuid.UUID, data: s.StateChange, session: SessionDep, actor: ActorDep):
    return incident_view(session, actor, service.close_incident(session, actor, incident_id, data.reason))


@router.put("/incidents/{incident_id}/investigation", response_model=s.InvestigationRead, tags=["incidents"])
@permits("investigation.write")
def record_investigation(
    incident_id: uuid.UUID, data: s.InvestigationIn, session: SessionDep, actor: ActorDep
):
    """Record where the investigation stands: status, arrests, charges, prosecution, next hearing."""
    return service.record_investigation(session, actor, incident_id, data)


@router.post(
    "/incidents/{incident_id}/investigation/steps",
    response_model=s.InvestigationRead,
    status_code=201,
    tags=["incidents"],
)
@permits("investigation.write")
def add_investigation_step(incident_id: uuid.UUID, data: s.StepIn, session: SessionDep, actor: ActorDep):
    """A step of the investigation as it happened (arrests, charges, a hearing, a verdict); the
    summary follows: arrests counted, the stage reached, the next hearing."""
    return service.add_investigation_step(session, actor, incident_id, data)
