"""HTTP API of alerts: list, read, acknowledge, resolve; the CAP 1.2 feed; alert channels."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from jsms.alerts import cap, service
from jsms.alerts import schemas as s
from jsms.alerts.models import Alert
from jsms.core.config import get_settings
from jsms.core.crud import ListRequest, Resource, add_routes
from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute, permits
from jsms.core.i18n import Translator

router = APIRouter(prefix="/api/v1", route_class=UnitOfWorkRoute)
CAP_MEDIA = "application/cap+xml"
ATOM_MEDIA = "application/atom+xml"


def alert_view(actor, alert: Alert, detail: bool = False) -> s.AlertRead:
    message = service.render(alert, Translator(actor.language, actor.timezone))
    fields = {name: getattr(alert, name) for name in s.AlertRead.model_fields if name != "message"}
    if detail:
        return s.AlertDetail(
            **fields,
            message=message,
            evidence=alert.evidence,
            events=[s.AlertEventRead.model_validate(e) for e in alert.events],
        )
    return s.AlertRead(**fields, message=message)


@router.get("/alerts", response_model=s.AlertPage, tags=["alerts"])
@permits("alert.read")
def list_alerts(session: SessionDep, actor: ActorDep, params: Annotated[s.AlertParams, Query()]):
    """Alerts the caller may see, newest first; `active=true` for those not yet resolved."""
    items, total = service.list_alerts(session, actor, ListRequest.of(params))
    return {
        "items": [alert_view(actor, a) for a in items],
        "total": total,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.get("/alerts/cap", tags=["alerts"], response_class=Response)
@permits("alert.read")
def cap_feed(
    session: SessionDep,
    actor: ActorDep,
    active: bool = Query(True, description="Only alerts not yet resolved"),
    limit: int = Query(100, ge=1, le=500),
):
    """An Atom feed whose entries each carry one CAP 1.2 alert (in English, Chinese and Urdu)."""
    query = ListRequest(s.AlertParams(limit=limit).page(), filters={"active": active or None})
    items, _ = service.list_alerts(session, actor, query)
    settings = get_settings()
    body = cap.feed(items, settings.node_id, settings.cap_status, settings.public_url)
    return Response(body, media_type=ATOM_MEDIA)


@router.get("/alerts/{alert_id}", response_model=s.AlertDetail, tags=["alerts"])
@permits("alert.read")
def get_alert(alert_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    return alert_view(actor, service.get_alert(session, actor, alert_id), detail=True)


@router.get("/alerts/{alert_id}/cap", tags=["alerts"], response_class=Response)
@permits("alert.read")
def alert_cap(alert_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """The alert as one CAP 1.2 message (Alert, then Update once acknowledged, Cancel once resolved)."""
    alert = service.get_alert(session, actor, alert_id)
    settings = get_settings()
    web = f"{settings.public_url}/alerts/{alert.id}" if settings.public_url else None
    return Response(cap.document(alert, settings.node_id, settings.cap_status, web), media_type=CAP_MEDIA)


@router.post("/alerts/{alert_id}/acknowledge", response_model=s.AlertDetail, tags=["alerts"])
@permits("alert.acknowledge")
def acknowledge(alert_id: uuid.UUID, session: SessionDep, actor: ActorDep, data: s.Acknowledge | None = None):
    """Take the alert in hand: escalation stops, and the sender of an SOS sees it was received."""
    alert = service.acknowledge(session, actor, alert_id, data.note if data else "")
    return alert_view(actor, alert, detail=True)


@router.post("/alerts/{alert_id}/resolve", response_model=s.AlertDetail, tags=["alerts"])
@permits("alert.resolve")
def resolve(alert_id: uuid.UUID, data: s.Resolve, session: SessionDep, actor: ActorDep):
    """Close the alert, saying what was done."""
    return alert_view(actor, service.resolve(session, actor, alert_id, data.note), detail=True)


CHANNELS = Resource(
    "alert-channels",
    "alerts",
    s.ChannelRead,
    s.ChannelCreate,
    s.ChannelUpdate,
    s.ChannelParams,
    service.list_channels,
    service.get_channel,
    service.create_channel,
    service.update_channel,
    access=("alert_channel.read", "alert_channel.write"),
)
add_routes(router, CHANNELS)
