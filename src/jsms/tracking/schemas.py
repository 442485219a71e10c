"""Pydantic in/out models of devices, pings and the live picture."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from jsms.core.crud import ListParams
from jsms.core.schemas import ReadModel, Strict

IDENTIFIER = r"^[A-Za-z0-9._:-]{3,64}$"
DEVICE_KINDS = Literal["phone", "vehicle_tracker"]


class DeviceCreate(Strict):
    identifier: str = Field(pattern=IDENTIFIER, description="What the device sends as `id` (e.g. its IMEI)")
    label: str = Field(min_length=1, max_length=200)
    kind: DEVICE_KINDS
    asset_id: uuid.UUID | None = Field(None, description="The vehicle that carries it")
    person_id: uuid.UUID | None = Field(None, description="The protected person who carries it (consented)")
    active: bool = True


class DeviceUpdate(Strict):
    label: str | None = Field(None, min_length=1, max_length=200)
    kind: DEVICE_KINDS | None = None
    asset_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    active: bool | None = None


class DeviceRead(ReadModel):
    id: uuid.UUID
    identifier: str
    label: str
    kind: str
    asset_id: uuid.UUID | None
    person_id: uuid.UUID | None
    owner_org_id: uuid.UUID | None
    active: bool
    has_token: bool = False
    version: int
    created_at: datetime


class DeviceParams(ListParams):
    kind: DEVICE_KINDS | None = None
    active: bool | None = None


class DeviceToken(BaseModel):
    device: DeviceRead
    token: str = Field(description="Shown once: the device must send it as `token=` from now on")


class PingIn(BaseModel):
    """One fix in a JSON batch (the batch endpoint reads these fields itself, for speed)."""

    device: str = Field(description="The device identifier")
    t: float | str | None = Field(None, description="Unix seconds or milliseconds, or ISO 8601; default now")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    speed_kmh: float | None = None
    bearing: float | None = None
    accuracy: float | None = None
    battery: float | None = None
    alarm: str | None = None


class PingBatch(BaseModel):
    pings: list[PingIn] = Field(max_length=10_000)


class BatchAccepted(BaseModel):
    accepted: int


class PositionRead(BaseModel):
    journey_id: uuid.UUID | None
    device: str
    label: str
    lat: float | None
    lon: float | None
    t: datetime
    speed_kmh: float | None
    battery: float | None


class PingRead(ReadModel):
    device_id: uuid.UUID
    t: float = Field(description="When the device took the fix, Unix seconds")
    received: float = Field(description="When the node received it, Unix seconds")
    lat: float | None
    lon: float | None
    speed_kmh: float | None
    bearing: float | None
    accuracy: float | None
    battery: float | None
    alarm: str | None


class RollCallCreate(Strict):
    incident_id: uuid.UUID
    radius_km: float = Field(10.0, gt=0, le=200, description="Who was within this distance of the incident")


class RollCallAccount(Strict):
    person_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)
    note: str = Field(
        "", max_length=2000, description="How they were reached (e.g. 'phoned the site manager')"
    )


class RollCallEntryRead(ReadModel):
    person_id: uuid.UUID
    name: str
    found_by: Literal["last_ping", "journey", "site"]
    journey_id: uuid.UUID | None
    distance_km: float
    accounted_at: datetime | None
    accounted_by: str | None
    accounted_how: Literal["checkin", "operator"] | None
    note: str


class RollCallRead(ReadModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    title: str
    lat: float
    lon: float
    radius_km: float
    status: Literal["open", "complete"]
    opened_at: datetime
    opened_by: str
    completed_at: datetime | None
    persons: int = Field(description="Everyone on the roll call")
    unaccounted: int = Field(description="Of them, not yet accounted for")
    tlp: str


class RollCallDetail(RollCallRead):
    entries: list[RollCallEntryRead] = Field(description="The persons the caller may see")
