"""Exchange pages: the other node's connection health, what left (the release log) and what came in,
a preview of exactly what the other node receives, and each incident's sharing status."""

import uuid

import orjson
from fastapi import APIRouter, Request, Response

from jsms.core.http import SessionDep, permits
from jsms.core.i18n import N_
from jsms.core.marking import Tlp
from jsms.core.pages import NavItem, PageActor, PageRoute, add_navigation, render
from jsms.core.policy import allows, require
from jsms.sharing import overview, service, stix
from jsms.sharing.overview import CHANNEL_LABELS, HEALTH_LABELS

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_navigation([NavItem("/exchange", N_("Exchange"), "sharing.read", order=80)])
FIELD_LABELS = {
    "narrative": N_("Narrative"),
    "sources": N_("Sources"),
    "claimed_by": N_("Claimed by"),
    "place_name": N_("Place"),
    "district": N_("District"),
    "target_category": N_("Target"),
    "killed": N_("Killed"),
    "injured": N_("Injured"),
    "killed_protected": N_("Protected nationals killed"),
    "injured_protected": N_("Protected nationals injured"),
    "protected_nationality_targeted": N_("Protected nationals targeted"),
    "investigation_status": N_("Investigation"),
}


def _labels() -> dict:
    return {
        "health_labels": HEALTH_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "field_labels": FIELD_LABELS,
        "tlp_label": lambda value: Tlp(value).label,
        "other_party": overview.other_party(),
    }


@router.get("/exchange")
@permits("sharing.read")
def exchange_page(request: Request, session: SessionDep, actor: PageActor):
    return render(
        request,
        "sharing/exchange.html",
        {
            **_labels(),
            "peers": overview.peers(session, actor),
            "heads": overview.peer_heads(session, actor),
            "counts": overview.release_counts(session, actor),
            "outgoing": overview.outgoing(session, actor),
            "incoming": overview.incoming(session, actor),
            "can_preview": allows(session, actor, "sharing.release"),
        },
        actor=actor,
    )


@router.get("/exchange/preview")
@permits("sharing.release")
def preview_page(request: Request, session: SessionDep, actor: PageActor):
    """What the other node receives if it synced now: nothing is logged."""
    incidents, reports, withheld = overview.preview_list(session, actor)
    return render(
        request,
        "sharing/preview.html",
        {**_labels(), "incidents": incidents, "reports": reports, "withheld": withheld},
        actor=actor,
    )


@router.get("/exchange/preview.json")
@permits("sharing.release")
def preview_bundle(session: SessionDep, actor: PageActor):
    """The same, as the STIX 2.1 bundle the other node would receive (a download; nothing logged)."""
    require(session, actor, "sharing.release")
    bundle = service.preview(session, actor, overview.other_party())
    return Response(
        stix.as_json(bundle).encode(),
        media_type="application/stix+json;version=2.1",
        headers={"Content-Disposition": 'attachment; filename="preview-as-other-party.json"'},
    )


@router.get("/exchange/incidents/{incident_id}")
@permits("sharing.read")
def incident_sharing(incident_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    status = overview.object_status(session, actor, incident_id)
    objects = [orjson.loads(o.serialize()) for o in status.objects]
    return render(
        request,
        "sharing/incident.html",
        {
            **_labels(),
            "status": status,
            "stix_json": orjson.dumps(objects, option=orjson.OPT_INDENT_2).decode() if objects else "",
        },
        actor=actor,
    )
