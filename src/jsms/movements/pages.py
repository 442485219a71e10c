"""Journey pages: the list, the planner with the route options side by side on the map, and each
journey's plan, checks, timeline and the workflow steps its state and the user's role allow."""

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlalchemy import select

from jsms.core.crud import ListRequest
from jsms.core.errors import DomainError, Forbidden, Invalid
from jsms.core.forms import Column, DetailRow, FormField, PageSpec, add_pages, field_messages, label, plain
from jsms.core.http import SessionDep, permits
from jsms.core.i18n import N_, Translator
from jsms.core.marking import Tlp
from jsms.core.pages import NavItem, PageActor, PageRoute, add_navigation, redirect, render, translator_for
from jsms.core.policy import allows
from jsms.movements import labels, service
from jsms.movements import schemas as s
from jsms.movements.api import JOURNEYS
from jsms.registry import schemas as rs
from jsms.registry import service as registry
from jsms.registry.models import Asset, Unit

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_navigation([NavItem("/journeys", N_("Journeys"), "journey.read", order=25)])

STATES = labels.JOURNEY_STATES
PROFILES = {
    "fastest": N_("Fastest"),
    "safest": N_("Safest"),
    "balanced": N_("Balanced"),
    "alternative": N_("Alternative"),
}
EVENTS = {
    "created": N_("Requested"),
    "changed": N_("Changed"),
    "submitted": N_("Submitted for approval"),
    "revised": N_("Returned to draft"),
    "escort_assigned": N_("Escort assigned"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "started": N_("Departed"),
    "completed": N_("Arrived"),
    "aborted": N_("Aborted"),
}
REQUIREMENTS = {
    "armoured_vehicle": N_("Armoured vehicle"),
    "escort_vehicles": N_("Escort vehicles"),
    "allowed_hours": N_("Allowed hours"),
    "max_group_size": N_("Largest group"),
    "checkin_interval_minutes": N_("Check-in every (minutes)"),
}
MAX_OPTIONS = 500


def duration(seconds: float, t: Translator) -> str:
    minutes = round(seconds / 60)
    return t.gettext(N_("%(hours)s h %(minutes)s min"), hours=minutes // 60, minutes=f"{minutes % 60:02d}")


def kilometres(metres: float, t: Translator) -> str:
    return t.gettext(N_("%(km)s km"), km=t.number(round(metres / 1000)))


def _route_summary(journey, t: Translator) -> str:
    route = journey.route
    profile = t.gettext(PROFILES.get(journey.route_profile, journey.route_profile))
    return f"{profile}: {kilometres(route['distance_m'], t)}, {duration(route['duration_s'], t)}"


JOURNEY_PAGES = PageSpec(
    resource=JOURNEYS,
    title=N_("Journeys"),
    singular=N_("Journey"),
    write_permission="journey.request",
    columns=[
        Column(
            "window_start",
            N_("Departure"),
            lambda j, t: t.datetime(j.window_start, "short"),
            sort="window_start",
        ),
        Column("purpose", N_("Purpose"), plain("purpose"), link=True),
        Column("from", N_("From"), plain("origin_label")),
        Column("to", N_("To"), plain("destination_label")),
        Column("level", N_("Threat level"), lambda j, t: t.number(j.assessment["threat_level"])),
        Column("status", N_("State"), label(STATES, "status"), sort="status"),
        Column("marking", N_("Marking"), lambda j, t: Tlp(j.tlp).label),
    ],
    details=[
        DetailRow(N_("Purpose"), plain("purpose")),
        DetailRow(N_("State"), label(STATES, "status")),
        DetailRow(N_("From"), plain("origin_label")),
        DetailRow(N_("To"), plain("destination_label")),
        DetailRow(
            N_("Departure window"),
            lambda j, t: f"{t.datetime(j.window_start, 'short')} – {t.datetime(j.window_end, 'short')}",
        ),
        DetailRow(N_("Projected arrival"), lambda j, t: t.datetime(j.projected_arrival, "short")),
        DetailRow(N_("Route"), _route_summary),
        DetailRow(
            N_("Highest threat level on the route"), lambda j, t: t.number(j.assessment["threat_level"])
        ),
        DetailRow(
            N_("Risk exposure (intensity-hours)"),
            lambda j, t: t.number(round(j.route.get("risk_exposure", 0.0), 2)),
        ),
        DetailRow(N_("Requested by"), plain("requested_by")),
        DetailRow(
            N_("Convoy leader"),
            lambda j, t: " · ".join(filter(None, (j.convoy_leader, j.convoy_leader_call_sign))),
        ),
        DetailRow(N_("Decision"), plain("decision_reason")),
        DetailRow(N_("Marking"), lambda j, t: Tlp(j.tlp).label),
    ],
    fields=[],
    forms=False,
    detail_template="journeys/journey.html",
    filters=[FormField("status", N_("State"), "select", STATES)],
    extra=lambda session, actor, journey: _detail_context(session, actor, journey),
)


# Which list each kind of choice comes from, and the query parameters its filters obey.
LISTS = {
    "sites": (registry.list_sites, rs.SiteParams),
    "persons": (registry.list_persons, rs.PersonParams),
    "units": (registry.list_units, rs.UnitParams),
    "assets": (registry.list_assets, rs.AssetParams),
}


def _all(source: str, session, actor, **filters) -> list:
    """Up to MAX_OPTIONS records the user may see, for a form's choices (none if not permitted)."""
    list_function, params = LISTS[source]
    try:
        query = params.model_validate({"limit": MAX_OPTIONS, **filters})
        items, _ = list_function(session, actor, ListRequest.of(query))
    except (Forbidden, ValidationError):
        return []
    return items


def _vehicles(session, actor) -> list:
    return [
        asset
        for kind in ("armoured_vehicle", "vehicle")
        for asset in _all("assets", session, actor, kind=kind, status="in_service")
    ]


def _detail_context(session, actor, journey) -> dict[str, Any]:
    may = {
        action: allows(session, actor, f"journey.{action}", journey)
        for action in ("request", "assign", "approve", "conduct")
    }
    assets = session.scalars(select(Asset).where(Asset.id.in_([v.asset_id for v in journey.vehicles])))
    vehicles = {asset.id: asset for asset in assets}
    escort_unit = session.get(Unit, journey.escort_unit_id) if journey.escort_unit_id else None
    return {
        "may": may,
        "vehicles": [(v.role, vehicles.get(v.asset_id)) for v in journey.vehicles],
        "escort_unit": escort_unit,
        "units": _all("units", session, actor) if may["assign"] else [],
        "escort_choices": _escort_fleets(session, actor) if may["assign"] else [],
        "route_collection": {"type": "FeatureCollection", "features": [_frozen_feature(journey)]},
        "states": STATES,
        "events": EVENTS,
        "requirement_labels": REQUIREMENTS,
        "checkpoints": [
            (p, journey.window_start + timedelta(seconds=p["offset_s"])) for p in journey.checkpoints
        ],
        "checkins": [datetime.fromisoformat(moment) for moment in journey.checkin_schedule],
    }


def _escort_fleets(session, actor) -> list[tuple[str, list]]:
    """Vehicles in service by the unit they are assigned to, for the escort form."""
    units = {unit.id: unit for unit in _all("units", session, actor)}
    fleets: dict[str, list] = {}
    for vehicle in _all("assets", session, actor, kind="vehicle", status="in_service"):
        unit = units.get(vehicle.assigned_unit_id)
        if unit is not None:
            fleets.setdefault(unit.call_sign or unit.node.name, []).append(vehicle)
    return sorted(fleets.items())


def _frozen_feature(journey) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": journey.route["coordinates"]},
        "properties": {"profile": journey.route_profile, "checkpoints": journey.checkpoints},
    }


# ---- the planner -------------------------------------------------------------------------


def _place(values: dict[str, Any], end: str) -> dict[str, Any] | None:
    site = values.get(f"{end}_site")
    if site:
        return {"site_id": site}
    lat, lon = values.get(f"{end}_lat"), values.get(f"{end}_lon")
    if lat or lon:
        return {"lat": lat or None, "lon": lon or None}
    return None


def _planner_values(form) -> dict[str, Any]:
    values = {key: str(form.get(key, "")).strip() for key in PLANNER_FIELDS}
    values["person_ids"] = [str(v) for v in form.getlist("person_ids")]
    values["vehicle_ids"] = [str(v) for v in form.getlist("vehicle_ids")]
    values["route"] = values["route"] or "balanced"
    values["window_minutes"] = values["window_minutes"] or "30"
    return values


PLANNER_FIELDS = (
    "origin_site",
    "origin_lat",
    "origin_lon",
    "destination_site",
    "destination_lat",
    "destination_lon",
    "depart",
    "window_minutes",
    "purpose",
    "route",
)


def _departure(values: dict[str, Any], t: Translator) -> datetime | None:
    try:
        return datetime.fromisoformat(values["depart"]).replace(tzinfo=t.timezone)
    except ValueError:
        return None


def _planner(request: Request, session, actor, values: dict[str, Any], submit_errors=None, status_code=200):
    """The planner page; with both ends and a departure given, the route options side by side."""
    t = translator_for(request, actor)
    plans, problems = [], list(submit_errors or [])
    origin, destination, departure = (
        _place(values, "origin"),
        _place(values, "destination"),
        _departure(values, t),
    )
    if origin and destination and departure and not submit_errors:
        try:
            plans = service.plan(
                session,
                actor,
                s.RouteRequest(origin=origin, destination=destination, depart_at=departure),
            )
        except (ValidationError, Invalid) as error:
            problems += _messages(error, t)
        except DomainError as error:
            problems.append(error.detail)
    elif values.get("depart") and departure is None:
        problems.append(t.gettext(N_("The departure time is not a date and time")))
    origin_site = values.get("origin_site")
    return render(
        request,
        "journeys/plan.html",
        {
            "values": values,
            "plans": [p.properties() for p in plans],
            "route_collection": {"type": "FeatureCollection", "features": [p.feature() for p in plans]},
            "problems": problems,
            "sites": _all("sites", session, actor),
            "persons": _all("persons", session, actor, site_id=origin_site) if origin_site else [],
            "vehicles": _vehicles(session, actor),
            "profiles": PROFILES,
            "requirement_labels": REQUIREMENTS,
            "can_request": allows(session, actor, "journey.request"),
        },
        actor=actor,
        status_code=status_code,
    )


def _messages(error: ValidationError | Invalid, t: Translator) -> list[str]:
    by_field, general = field_messages(error, t)
    return [f"{name}: {message}" for name, message in by_field.items()] + general


@router.get("/journeys/new")
@permits("route.plan")
def plan_page(request: Request, session: SessionDep, actor: PageActor):
    values = _planner_values(request.query_params)
    return _planner(request, session, actor, values)


@router.post("/journeys/plan")
@permits("route.plan")
async def plan_posted(request: Request, session: SessionDep, actor: PageActor):
    """The planner's "Plan routes" button: the same page, from the form (its CSRF token stays out of URLs)."""
    return _planner(request, session, actor, _planner_values(await request.form()))


@router.post("/journeys/new")
@permits("journey.request")
async def request_journey(request: Request, session: SessionDep, actor: PageActor):
    t = translator_for(request, actor)
    values = _planner_values(await request.form())
    departure = _departure(values, t)
    try:
        minutes = int(values["window_minutes"]) if values["window_minutes"].isdigit() else -1
        data = s.JourneyCreate.model_validate(
            {
                "purpose": values["purpose"],
                "origin": _place(values, "origin"),
                "destination": _place(values, "destination"),
                "window_start": departure,
                "window_end": departure + timedelta(minutes=minutes) if departure else None,
                "route": values["route"],
                "person_ids": values["person_ids"],
                "vehicle_ids": values["vehicle_ids"],
            }
        )
        journey = service.create_journey(session, actor, data)
    except (ValidationError, Invalid) as error:
        session.rollback()
        return _planner(request, session, actor, values, _messages(error, t) or [str(error)], 422)
    return redirect(f"/journeys/{journey.id}", request)


add_pages(router, JOURNEY_PAGES)


# ---- workflow steps ----------------------------------------------------------------------

Reason = Annotated[str, Form(min_length=1, max_length=2000)]
Note = Annotated[str, Form(max_length=2000)]


@router.post("/journeys/{journey_id}/submit")
@permits("journey.request")
def submit(journey_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    service.submit(session, actor, journey_id)
    return redirect(f"/journeys/{journey_id}", request)


@router.post("/journeys/{journey_id}/revise")
@permits("journey.request")
def revise(journey_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    service.revise(session, actor, journey_id)
    return redirect(f"/journeys/{journey_id}", request)


@router.post("/journeys/{journey_id}/assign")
@permits("journey.assign")
async def assign(journey_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    form = await request.form()
    try:
        data = s.EscortAssignment.model_validate(
            {
                "escort_unit_id": form.get("escort_unit_id") or None,
                "escort_vehicle_ids": form.getlist("escort_vehicle_ids"),
                "convoy_leader": str(form.get("convoy_leader", "")).strip(),
                "convoy_leader_call_sign": str(form.get("convoy_leader_call_sign", "")).strip() or None,
            }
        )
    except ValidationError as error:
        raise Invalid("; ".join(_messages(error, translator_for(request, actor)))) from error
    service.assign_escort(session, actor, journey_id, data)
    return redirect(f"/journeys/{journey_id}", request)


@router.post("/journeys/{journey_id}/approve")
@permits("journey.approve")
def approve(journey_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor, note: Note = ""):
    service.approve(session, actor, journey_id, note)
    return redirect(f"/journeys/{journey_id}", request)


@router.post("/journeys/{journey_id}/reject")
@permits("journey.approve")
def reject(journey_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor, reason: Reason):
    service.reject(session, actor, journey_id, reason)
    return redirect(f"/journeys/{journey_id}", request)


@router.post("/journeys/{journey_id}/start")
@permits("journey.conduct")
def start(journey_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor, note: Note = ""):
    service.start(session, actor, journey_id, note)
    return redirect(f"/journeys/{journey_id}", request)


@router.post("/journeys/{journey_id}/complete")
@permits("journey.conduct")
def complete(journey_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor, note: Note = ""):
    service.complete(session, actor, journey_id, note)
    return redirect(f"/journeys/{journey_id}", request)


@router.post("/journeys/{journey_id}/abort")
@permits("journey.conduct")
def abort(journey_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor, reason: Reason):
    service.abort(session, actor, journey_id, reason)
    return redirect(f"/journeys/{journey_id}", request)
