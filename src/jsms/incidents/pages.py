"""Incident pages: list with filters, detail with verify / reject / close, forms; the map layer."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request

from jsms.core.forms import Column, DetailRow, FormField, PageSpec, add_pages, label, plain, yes_no
from jsms.core.http import SessionDep, permits, signed_in
from jsms.core.i18n import N_, Translator
from jsms.core.marking import Tlp
from jsms.core.pages import NavItem, PageActor, PageRoute, add_navigation, redirect
from jsms.core.policy import allows
from jsms.geo.provinces import PROVINCES, province_names
from jsms.incidents import labels, service
from jsms.incidents.api import INCIDENTS
from jsms.incidents.schemas import STEP_KINDS, StepIn

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_navigation([NavItem("/incidents", N_("Incidents"), "incident.read", order=20)])
MAP_DAYS = 730


def where(obj, t: Translator) -> str:
    province = PROVINCES[obj.province].name_in(t.language) if obj.province in PROVINCES else ""
    return ", ".join(part for part in (obj.district, province) if part)


def casualties(obj, t: Translator) -> str:
    killed = "?" if obj.killed is None else t.number(obj.killed)
    protected = f" ({t.number(obj.killed_protected)})" if obj.killed_protected else ""
    return f"{killed}{protected} / {'?' if obj.injured is None else t.number(obj.injured)}"


INCIDENT_PAGES = PageSpec(
    resource=INCIDENTS,
    title=N_("Incidents"),
    singular=N_("Incident"),
    write_permission="incident.write",
    columns=[
        Column("occurred_at", N_("Date"), lambda i, t: t.date(i.occurred_at), sort="occurred_at"),
        Column("title", N_("Title"), plain("title"), link=True),
        Column("kind", N_("Kind"), label(labels.KINDS, "kind"), sort="kind"),
        Column("where", N_("Where"), where, sort="province"),
        Column("casualties", N_("Killed (protected) / injured"), casualties, sort="killed"),
        Column("state", N_("State"), label(labels.STATES, "state"), sort="state"),
        Column("marking", N_("Marking"), lambda i, t: Tlp(i.tlp).label),
    ],
    details=[
        DetailRow(N_("Title"), plain("title")),
        DetailRow(N_("Date"), lambda i, t: t.datetime(i.occurred_at)),
        DetailRow(N_("Kind"), label(labels.KINDS, "kind")),
        DetailRow(N_("Target"), label(labels.TARGETS, "target_category")),
        DetailRow(
            N_("Protected nationals targeted"),
            yes_no("protected_nationality_targeted"),
        ),
        DetailRow(N_("Place"), plain("place_name")),
        DetailRow(N_("Where"), where),
        DetailRow(N_("Killed (protected) / injured"), casualties),
        DetailRow(N_("Claimed by"), plain("claimed_by")),
        DetailRow(N_("State"), label(labels.STATES, "state")),
        DetailRow(N_("Verified by"), plain("verified_by")),
        DetailRow(N_("Marking"), lambda i, t: Tlp(i.marking.tlp).label),
        DetailRow(N_("Narrative"), plain("narrative")),
    ],
    fields=[
        FormField("title", N_("Title"), required=True, wide=True),
        FormField("occurred_at", N_("Date"), "datetime-local", required=True),
        FormField("kind", N_("Kind"), "select", labels.KINDS, required=True),
        FormField("target_category", N_("Target"), "select", labels.TARGETS),
        FormField("lat", N_("Latitude"), "number", step="any", required=True),
        FormField("lon", N_("Longitude"), "number", step="any", required=True),
        FormField("place_name", N_("Place")),
        FormField("killed", N_("Killed"), "number"),
        FormField("injured", N_("Injured")),
        FormField("killed_protected", N_("Protected nationals killed"), "number"),
        FormField("protected_nationality_targeted", N_("Protected nationals targeted"), "checkbox"),
        FormField("claimed_by", N_("Claimed by")),
        FormField("tlp", N_("Marking"), "select", labels.MARKINGS),
        FormField("narrative", N_("Narrative"), "textarea", wide=True),
    ],
    initial=lambda i: {
        "title": i.title,
        "occurred_at": i.occurred_at,
        "kind": i.kind,
        "target_category": i.target_category,
        "lat": i.lat,
        "lon": i.lon,
        "place_name": i.place_name,
        "killed": i.killed,
        "injured": i.injured,
        "killed_protected": i.killed_protected,
        "protected_nationality_targeted": i.protected_nationality_targeted,
        "claimed_by": i.claimed_by,
        "tlp": i.tlp,
        "narrative": i.narrative,
    },
    detail_template="incidents/incident.html",
    filters=[
        FormField("state", N_("State"), "select", labels.STATES),
        FormField("kind", N_("Kind"), "select", labels.KINDS),
        FormField("province", N_("Province"), "select", lambda _s, _a, t: province_names(t.language)),
    ],
    extra=lambda session, actor, incident: {
        "can_verify": allows(session, actor, "incident.verify"),
        "can_see_sharing": allows(session, actor, "sharing.read"),
        "can_record_investigation": allows(session, actor, "investigation.write", incident),
        "stages": labels.INVESTIGATION_STAGES,
        "step_kinds": labels.STEP_KINDS,
    },
)
add_pages(router, INCIDENT_PAGES)


@router.post("/incidents/{incident_id}/verify")
@permits("incident.verify")
def verify(incident_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    service.verify_incident(session, actor, incident_id)
    return redirect(f"/incidents/{incident_id}", request)


@router.post("/incidents/{incident_id}/reject")
@permits("incident.verify")
def reject(
    incident_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
):
    service.reject_incident(session, actor, incident_id, reason)
    return redirect(f"/incidents/{incident_id}", request)


@router.post("/incidents/{incident_id}/close")
@permits("incident.verify")
def close(incident_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    service.close_incident(session, actor, incident_id)
    return redirect(f"/incidents/{incident_id}", request)


@router.get("/map/incidents.json")
@signed_in  # a layer of the map everyone has: empty where the policy shows nothing
def incident_layer(request: Request, session: SessionDep, actor: PageActor):
    """Counted incidents of the last two years the user may see, as GeoJSON points."""
    from jsms.core.pages import translator_for

    if not allows(session, actor, "incident.read"):
        return {"type": "FeatureCollection", "features": []}
    t = translator_for(request, actor)
    incidents = service.recent_counted(session, actor, datetime.now(UTC) - timedelta(days=MAP_DAYS))
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [i.lon, i.lat]},
            "properties": {
                "title": i.title,
                "kind": i.kind,
                "kind_label": t.gettext(labels.KINDS[i.kind]),
                "date": t.date(i.occurred_at),
                "killed": i.killed or 0,
                "protected": i.protected_nationality_targeted,
                "url": f"/incidents/{i.id}",
            },
        }
        for i in incidents
    ]
    return {"type": "FeatureCollection", "features": features}


@router.post("/incidents/{incident_id}/investigation/steps")
@permits("investigation.write")
def add_investigation_step(
    incident_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    on: Annotated[date, Form()],
    kind: Annotated[STEP_KINDS, Form()],
    text: Annotated[str, Form(min_length=1, max_length=5000)],
    count: Annotated[int | None, Form(ge=1, le=10_000)] = None,
):
    service.add_investigation_step(
        session, actor, incident_id, StepIn(on=on, kind=kind, text=text, count=count)
    )
    return redirect(f"/incidents/{incident_id}", request)
