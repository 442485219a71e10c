"""Tracking pages: the live map (convoys moving, alerts popping up, the active alerts beside it)
and the device registry."""

import hashlib
import hmac
import time
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jsms.core.config import get_settings
from jsms.core.crud import ListRequest
from jsms.core.db import ACTOR_KEY, utcnow
from jsms.core.errors import Invalid
from jsms.core.forms import Column, DetailRow, FormField, PageSpec, add_pages, label, plain, yes_no
from jsms.core.http import SessionDep, permits, public
from jsms.core.i18n import N_
from jsms.core.pages import NavItem, PageActor, PageRoute, add_navigation, redirect, render, secure_cookies
from jsms.core.policy import allows, require
from jsms.core.schemas import PageParams
from jsms.movements import service as movements
from jsms.registry import schemas as rs
from jsms.registry import service as registry
from jsms.tracking import rollcall, service, tasks
from jsms.tracking.api import DEVICES
from jsms.tracking.osmand import Fix

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_navigation(
    [
        NavItem("/live", N_("Live"), "track.read", order=26),
        NavItem("/rollcalls", N_("Roll calls"), "rollcall.read", order=28),
        NavItem("/devices", N_("Devices"), "device.read", order=75),
    ]
)
DEVICE_KINDS = {"phone": N_("Phone"), "vehicle_tracker": N_("Vehicle tracker")}
ALL = PageParams(limit=500)


def vehicle_choices(session, actor, _t) -> dict[str, str]:
    if not allows(session, actor, "asset.read"):
        return {}
    items, _ = registry.list_assets(session, actor, ListRequest(ALL))
    return {
        str(a.id): f"{a.name} · {a.registration}" for a in items if a.kind in ("vehicle", "armoured_vehicle")
    }


def consenting_persons(session, actor, _t) -> dict[str, str]:
    """Only persons who consented to tracking may carry a device."""
    if not allows(session, actor, "person.read"):
        return {}
    query = rs.PersonParams(limit=500)
    items, _ = registry.list_persons(session, actor, ListRequest.of(query))
    return {str(p.id): p.full_name for p in items if p.consent_to_tracking}


DEVICE_PAGES = PageSpec(
    resource=DEVICES,
    title=N_("Devices"),
    singular=N_("Device"),
    write_permission="device.write",
    columns=[
        Column("identifier", N_("Identifier"), plain("identifier"), sort="identifier", link=True),
        Column("label", N_("Name"), plain("label"), sort="label"),
        Column("kind", N_("Kind"), label(DEVICE_KINDS, "kind")),
        Column("active", N_("Active"), yes_no("active")),
    ],
    details=[
        DetailRow(N_("Identifier"), plain("identifier")),
        DetailRow(N_("Name"), plain("label")),
        DetailRow(N_("Kind"), label(DEVICE_KINDS, "kind")),
        DetailRow(N_("Active"), yes_no("active")),
        DetailRow(
            N_("Token"),
            lambda d, t: t.gettext(N_("Required") if d.has_token else N_("None: the identifier suffices")),
        ),
    ],
    fields=[
        FormField("identifier", N_("Identifier"), required=True, help=N_("What the device sends as id")),
        FormField("label", N_("Name"), required=True),
        FormField("kind", N_("Kind"), "select", DEVICE_KINDS, required=True),
        FormField("asset_id", N_("Vehicle"), "select", vehicle_choices),
        FormField("person_id", N_("Protected person (consented)"), "select", consenting_persons),
        FormField("active", N_("Active"), "checkbox"),
    ],
    initial=lambda d: {"active": True} if d is None else {},
    detail_template="tracking/device.html",
    filters=[FormField("kind", N_("Kind"), "select", DEVICE_KINDS)],
)


@router.get("/live")
@permits("track.read")
def live_map(request: Request, session: SessionDep, actor: PageActor):
    require(session, actor, "track.read")
    return render(
        request,
        "tracking/live.html",
        {"may_acknowledge": allows(session, actor, "alert.acknowledge")},
        actor=actor,
    )


@router.get("/live/journeys.json")
@permits("track.read")
def live_journeys(session: SessionDep, actor: PageActor) -> JSONResponse:
    """The journeys being watched that the user may see, with their routes and last positions."""
    require(session, actor, "track.read")
    watched = movements.monitored(session, utcnow())
    allowed = movements.visible_ids(session, actor, {j.id for j in watched}, ("approved", "under_way"))
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": j.route["coordinates"]},
            "properties": {
                "id": str(j.id),
                "label": service.journey_label(j),
                "status": j.status,
                "url": f"/journeys/{j.id}",
            },
        }
        for j in watched
        if j.id in allowed
    ]
    positions = [p.model_dump(mode="json") for p in service.positions(session, actor)]
    return JSONResponse({"type": "FeatureCollection", "features": features, "positions": positions})


add_pages(router, DEVICE_PAGES)


# ---- the field page ----------------------------------------------------------------------

FIELD_COOKIE = "jsms_field"
FIELD_LINK_DAYS = 30


def _field_device(request: Request, session) -> Any:
    """The device this phone signed in as (its cookie holds identifier and token, signed)."""
    value = request.cookies.get(FIELD_COOKIE, "")
    identifier, _, token = _unsign(value).partition(" ")
    device = service.field_device(session, identifier, token)
    session.info[ACTOR_KEY] = service.field_actor(device)  # what it writes is audited as the device
    return device


def _sign(value: str) -> str:
    mac = hmac.new(get_settings().secret_key.get_secret_value().encode(), value.encode(), hashlib.sha256)
    return f"{value}|{mac.hexdigest()}"


def _unsign(signed: str) -> str:
    value = signed.rpartition("|")[0]
    return value if value and hmac.compare_digest(_sign(value), signed) else ""


@router.post("/devices/{device_id}/field-link")
@permits("device.write")
def field_link(device_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    """A new link for the device's field page (and a new token: the old link stops working)."""
    device, token = service.issue_token(session, actor, device_id)
    link = f"{request.base_url}field?{urlencode({'device': device.identifier, 'token': token})}"
    return render(request, "tracking/field_link.html", {"device": device, "link": link}, actor=actor)


@router.get("/field")
@public("a protected person's phone, by the link of its device (kept in a signed cookie)")
def field_page(request: Request, session: SessionDep, device: str | None = None, token: str | None = None):
    """The phone's page. Opened from its link once, it keeps the device in a cookie and drops the
    token from the address."""
    if device and token:
        service.field_device(session, device, token)
        response = RedirectResponse("/field", status_code=303)
        response.set_cookie(
            FIELD_COOKIE,
            _sign(f"{device} {token}"),
            max_age=FIELD_LINK_DAYS * 86400,
            httponly=True,
            samesite="strict",
            secure=secure_cookies(request),
        )
        return response
    entry = _field_device(request, session)
    journey = service.field_journey(session, entry)
    return render(
        request,
        "tracking/field.html",
        {
            "device": entry,
            "journey": journey,
            "journey_label": service.journey_label(journey) if journey else "",
        },
    )


@router.get("/field/status")
@public("a protected person's phone, by its device's signed cookie")
def field_status(request: Request, session: SessionDep) -> JSONResponse:
    entry = _field_device(request, session)
    journey = service.field_journey(session, entry)
    return JSONResponse(
        {
            "sos": service.sos_status(session, entry),
            "journey": {"id": str(journey.id), "status": journey.status} if journey else None,
        }
    )


class FieldPosition(BaseModel):
    """Where the phone is, as its browser's geolocation says (all optional)."""

    model_config = ConfigDict(extra="ignore")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    accuracy: float | None = Field(None, ge=0, le=100_000)
    speed_kmh: float | None = Field(None, ge=0, le=400)

    @model_validator(mode="after")
    def _together(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must come together")
        return self


async def _position(request: Request) -> FieldPosition:
    """The position a field request carries (an empty body: none); bad input is a 422 naming it."""
    body = await request.body()
    try:
        return FieldPosition.model_validate_json(body) if body.strip() else FieldPosition()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors())
        raise Invalid(f"The position is not valid ({problems})") from None


@router.post("/field/checkin")
@public("a protected person's phone, by its device's signed cookie")
async def field_checkin(request: Request, session: SessionDep) -> JSONResponse:
    entry = _field_device(request, session)
    where = await _position(request)
    checkin = service.field_checkin(session, entry, where.lat, where.lon)
    return JSONResponse({"checked_in_at": checkin.at.isoformat()})


async def _report(request: Request, session, alarm: str | None) -> JSONResponse:
    """A position (or an SOS) from the phone, through the same intake as every tracker."""
    entry = _field_device(request, session)
    require(session, service.field_actor(entry), "field.report")
    where = await _position(request)
    session.close()  # the intake's writer needs the write lock this request's session would hold
    request.state.session = None
    runtime = tasks.current()
    if runtime is None:
        return JSONResponse({"detail": "tracking is not running"}, status_code=503)
    fix = Fix(
        device=entry.identifier,
        t=time.time(),
        lat=where.lat,
        lon=where.lon,
        accuracy=where.accuracy,
        speed_kmh=where.speed_kmh,
        alarm=alarm,
    )
    await runtime.intake.submit([fix])
    return JSONResponse({"received_at": fix.t})


@router.post("/field/ping")
@public("a protected person's phone, by its device's signed cookie")
async def field_ping(request: Request, session: SessionDep) -> JSONResponse:
    return await _report(request, session, None)


@router.post("/field/sos")
@public("a protected person's phone, by its device's signed cookie")
async def field_sos(request: Request, session: SessionDep) -> JSONResponse:
    """SOS: stored and raised as an extreme alert before this answers; the page then follows it."""
    return await _report(request, session, "sos")


# ---- roll calls --------------------------------------------------------------------------

FOUND_BY = {
    "last_ping": N_("Their phone's last report"),
    "journey": N_("On a journey nearby"),
    "site": N_("Registered at a site nearby"),
}
ACCOUNTED_HOW = {"checkin": N_("Checked in"), "operator": N_("Confirmed by an operator")}
ROLL_CALL_STATES = {"open": N_("Open"), "complete": N_("Everyone accounted for")}


@router.get("/rollcalls")
@permits("rollcall.read")
def roll_calls_page(request: Request, session: SessionDep, actor: PageActor):
    found = rollcall.list_roll_calls(session, actor)
    totals = rollcall.counts(session, [r.id for r in found])
    rows = [{"roll_call": r, "persons": totals[r.id][0], "left": totals[r.id][1]} for r in found]
    return render(request, "tracking/rollcalls.html", {"rows": rows, "states": ROLL_CALL_STATES}, actor=actor)


@router.get("/rollcalls/{roll_call_id}")
@permits("rollcall.read")
def roll_call_page(roll_call_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    roll_call = rollcall.get_roll_call(session, actor, roll_call_id)
    entries = rollcall.entries_of(session, actor, roll_call)
    persons, left = rollcall.counts(session, [roll_call.id])[roll_call.id]
    context = {
        "roll_call": roll_call,
        "entries": entries,
        "persons": persons,
        "left": left,
        "may_mark": allows(session, actor, "rollcall.mark") and roll_call.status == "open",
        "found_by": FOUND_BY,
        "accounted_how": ACCOUNTED_HOW,
        "states": ROLL_CALL_STATES,
    }
    return render(request, "tracking/rollcall.html", context, actor=actor)


@router.post("/rollcalls/{roll_call_id}/account")
@permits("rollcall.mark")
def account_page(
    roll_call_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    person_ids: Annotated[list[uuid.UUID], Form(min_length=1)],
    note: Annotated[str, Form(max_length=2000)] = "",
):
    rollcall.account_for(session, actor, roll_call_id, person_ids, note)
    return redirect(f"/rollcalls/{roll_call_id}", request)
