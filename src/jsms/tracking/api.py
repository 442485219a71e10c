"""HTTP API of tracking: devices, JSON ping batches, the live picture and a journey's track.

The ping endpoints hold no database session while they wait for the group commit (on SQLite the
writer needs the write lock that a request's session would hold): they authenticate in a short
unit of their own, then wait for the intake.
"""

import time
import uuid
from typing import Literal

import cachetools
from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from jsms.core.crud import Resource, add_routes
from jsms.core.errors import Forbidden, Invalid, TooManyRequests
from jsms.core.http import ActorDep, RuledRoute, SessionDep, UnitOfWorkRoute, authorised_actor, permits
from jsms.core.throttle import batch_throttle
from jsms.tracking import rollcall, service, tasks
from jsms.tracking import schemas as s
from jsms.tracking.intake import parse_batch
from jsms.tracking.models import Device
from jsms.tracking.service import accepts

router = APIRouter(prefix="/api/v1", route_class=UnitOfWorkRoute)
intake_router = APIRouter(prefix="/api/v1", route_class=RuledRoute)


def device_view(_session, _actor, device: Device) -> s.DeviceRead:
    return s.DeviceRead.model_validate(device).model_copy(
        update={"has_token": device.token_digest is not None}
    )


DEVICES = Resource(
    "devices",
    "tracking",
    s.DeviceRead,
    s.DeviceCreate,
    s.DeviceUpdate,
    s.DeviceParams,
    service.list_devices,
    service.get_device,
    service.create_device,
    service.update_device,
    view=device_view,
    access=("device.read", "device.write"),
)
add_routes(router, DEVICES)


@router.post("/devices/{device_id}/token", response_model=s.DeviceToken, tags=["tracking"])
@permits("device.write")
def issue_token(device_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """A new token for the device, shown once; from now on every report must carry it."""
    device, token = service.issue_token(session, actor, device_id)
    return s.DeviceToken(device=device_view(session, actor, device), token=token)


@router.get("/tracking/positions", response_model=list[s.PositionRead], tags=["tracking"])
@permits("track.read")
def positions(session: SessionDep, actor: ActorDep):
    """The last position of every device on a journey the caller may see."""
    return service.positions(session, actor)


@router.get("/journeys/{journey_id}/track", response_model=list[s.PingRead], tags=["tracking"])
@permits("track.read", "journey.read")
def journey_track(journey_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """Every position reported on the journey, oldest first (the read is audited)."""
    return service.track(session, actor, journey_id)


# A gateway sends hundreds of batches a second with the same token: its grant to ingest is read
# from the database once, then trusted for a few seconds (revoking it takes effect within those).
INGEST_GRANT_SECONDS = 5.0
_ingest_grants: cachetools.TTLCache = cachetools.TTLCache(maxsize=1024, ttl=INGEST_GRANT_SECONDS)


async def _ingest_identity(authorization: str | None, device_token: str | None) -> str | None:
    """A user allowed to ingest for any device (returns None), or a device token (returned).
    Runs in the event loop (the grants are only touched there)."""
    if device_token:
        return device_token
    token = (authorization or "").removeprefix("Bearer ").strip()
    if token not in _ingest_grants:
        await run_in_threadpool(authorised_actor, token, "tracking.ingest")
        _ingest_grants[token] = True
    return None


@intake_router.post(
    "/tracking/pings",
    response_model=s.BatchAccepted,
    tags=["tracking"],
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": s.PingBatch.model_json_schema()}}}
    },
)
@permits("tracking.ingest", checked_by_endpoint=True)
async def ingest_pings(
    request: Request,
    authorization: str | None = Header(None),
    x_jsms_device_token: str | None = Header(None),
):
    """A batch of fixes (`{"pings": [...]}`, up to 10,000), answered once all are durable.

    All or nothing: one bad ping, or one unknown device, refuses the batch and names each
    culprit. A gateway signs in as a user allowed to ingest; a single device may instead send
    its own token in `X-JSMS-Device-Token` (then every ping must be its own)."""
    device_token = await _ingest_identity(authorization, x_jsms_device_token)
    # Counted per credential (its salted hash: no secret kept as a key).
    wait = batch_throttle().admit(str(hash(device_token or authorization)))
    if wait is not None:
        raise TooManyRequests("Too many batches from this sender; send fewer, larger ones", retry_after=wait)
    runtime = tasks.current()
    if runtime is None:
        raise Invalid("Tracking is not running on this node")
    fixes = parse_batch(await request.body(), time.time())
    named = set(fixes.device)
    if any(runtime.directory.find(d) is None for d in named):  # registered a moment ago?
        await run_in_threadpool(runtime.refresh_directory)
    entries = {d: runtime.directory.find(d) for d in named}
    unknown = sorted(d for d, entry in entries.items() if entry is None)
    if unknown:
        raise Invalid(f"Unknown devices: {', '.join(unknown[:20])}; nothing was stored")
    if device_token is not None:
        own = all(e.token_digest is not None and accepts(e, device_token) for e in entries.values())
        if len(entries) > 1 or not own:
            raise Forbidden("A device token may only send that device's own pings")
    if fixes:
        await runtime.intake.submit(fixes)
    return s.BatchAccepted(accepted=len(fixes))


# ---- roll calls --------------------------------------------------------------------------


def roll_call_view(roll_call, counts: tuple[int, int]) -> s.RollCallRead:
    persons, unaccounted = counts
    return s.RollCallRead(
        id=roll_call.id,
        incident_id=roll_call.incident_id,
        title=roll_call.title,
        lat=roll_call.lat,
        lon=roll_call.lon,
        radius_km=roll_call.radius_m / 1000,
        status=roll_call.status,
        opened_at=roll_call.opened_at,
        opened_by=roll_call.opened_by,
        completed_at=roll_call.completed_at,
        persons=persons,
        unaccounted=unaccounted,
        tlp=roll_call.tlp,
    )


def roll_call_detail(session, actor, roll_call) -> s.RollCallDetail:
    summary = roll_call_view(roll_call, rollcall.counts(session, [roll_call.id])[roll_call.id])
    entries = [
        s.RollCallEntryRead(
            person_id=entry.person_id,
            name=person.full_name,
            found_by=entry.found_by,
            journey_id=entry.journey_id,
            distance_km=round(entry.distance_m / 1000, 2),
            accounted_at=entry.accounted_at,
            accounted_by=entry.accounted_by,
            accounted_how=entry.accounted_how,
            note=entry.note,
        )
        for entry, person in rollcall.entries_of(session, actor, roll_call)
    ]
    return s.RollCallDetail(**summary.model_dump(), entries=entries)


@router.get("/rollcalls", response_model=list[s.RollCallRead], tags=["roll calls"])
@permits("rollcall.read")
def roll_calls(session: SessionDep, actor: ActorDep, status: Literal["open", "complete"] | None = None):
    """Roll calls after verified incidents, open ones first."""
    found = rollcall.list_roll_calls(session, actor, status)
    totals = rollcall.counts(session, [r.id for r in found])
    return [roll_call_view(r, totals[r.id]) for r in found]


@router.post("/rollcalls", response_model=s.RollCallDetail, status_code=201, tags=["roll calls"])
@permits("rollcall.mark")
def open_roll_call(data: s.RollCallCreate, session: SessionDep, actor: ActorDep):
    """Open a roll call for a verified incident by hand (for instance with a wider radius)."""
    roll_call = rollcall.open_roll_call(session, actor, data.incident_id, data.radius_km * 1000)
    return roll_call_detail(session, actor, rollcall.get_roll_call(session, actor, roll_call.id))


@router.get("/rollcalls/{roll_call_id}", response_model=s.RollCallDetail, tags=["roll calls"])
@permits("rollcall.read")
def roll_call(roll_call_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    return roll_call_detail(session, actor, rollcall.get_roll_call(session, actor, roll_call_id))


@router.post("/rollcalls/{roll_call_id}/account", response_model=s.RollCallDetail, tags=["roll calls"])
@permits("rollcall.mark")
def account(roll_call_id: uuid.UUID, data: s.RollCallAccount, session: SessionDep, actor: ActorDep):
    """Mark persons accounted for; the roll call completes when nobody is left."""
    roll_call = rollcall.account_for(session, actor, roll_call_id, data.person_ids, data.note)
    return roll_call_detail(session, actor, roll_call)
