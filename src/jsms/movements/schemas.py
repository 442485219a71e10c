"""Pydantic in/out models of routes and journeys."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from jsms.core.crud import ListParams
from jsms.core.marking import Tlp
from jsms.core.schemas import NoNulls, ReadModel, Strict

ROUTE_CHOICES = Literal["fastest", "safest", "balanced", "alternative"]
JOURNEY_STATES = Literal["draft", "submitted", "approved", "rejected", "under_way", "completed", "aborted"]
MAX_WINDOW_HOURS = 72


class Place(Strict):
    """A site of the registry, or a point."""

    site_id: uuid.UUID | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)

    @model_validator(mode="after")
    def _one_kind(self):
        point = self.lat is not None or self.lon is not None
        if self.site_id is not None and point:
            raise ValueError("give either site_id or lat and lon, not both")
        if self.site_id is None and (self.lat is None or self.lon is None):
            raise ValueError("give a site_id, or both lat and lon")
        return self


class RouteRequest(Strict):
    origin: Place
    destination: Place
    depart_at: AwareDatetime
    avoid: list[dict[str, Any]] = Field(
        default_factory=list, max_length=20, description="GeoJSON Polygon or MultiPolygon geometries"
    )


class Window(Strict):
    window_start: AwareDatetime
    window_end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self):
        if self.window_end < self.window_start:
            raise ValueError("window_end must not be before window_start")
        if (self.window_end - self.window_start).total_seconds() > MAX_WINDOW_HOURS * 3600:
            raise ValueError(f"the departure window may be at most {MAX_WINDOW_HOURS} hours")
        return self


class JourneyCreate(Window):
    purpose: str = Field(min_length=1, max_length=2000)
    origin: Place
    destination: Place
    route: ROUTE_CHOICES = Field("balanced", description="Which of the planned routes to take")
    avoid: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    person_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    vehicle_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    requesting_org_id: uuid.UUID | None = None
    tlp: Tlp | None = None


class JourneyUpdate(Strict, NoNulls):
    """Changes to a draft; a new window, end or route plans the route again."""

    purpose: str | None = Field(None, min_length=1, max_length=2000)
    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None
    origin: Place | None = None
    destination: Place | None = None
    route: ROUTE_CHOICES | None = None
    avoid: list[dict[str, Any]] | None = Field(None, max_length=20)
    person_ids: list[uuid.UUID] | None = Field(None, min_length=1, max_length=200)
    vehicle_ids: list[uuid.UUID] | None = Field(None, max_length=50)


class EscortAssignment(Strict):
    escort_unit_id: uuid.UUID
    escort_vehicle_ids: list[uuid.UUID] = Field(min_length=1, max_length=20)
    convoy_leader: str = Field(min_length=1, max_length=200)
    convoy_leader_call_sign: str | None = Field(None, max_length=40)


class Reason(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class Note(Strict):
    note: str = Field("", max_length=2000)


class VehicleRead(ReadModel):
    asset_id: uuid.UUID
    role: str


class EventRead(ReadModel):
    at: datetime
    actor: str
    action: str
    status: str
    note: str


class Finding(BaseModel):
    """A requirement the journey does not meet, or a conflict with another journey."""

    code: str
    message: str  # in English; pages show `template` % `params` translated
    template: str = ""
    params: dict[str, Any] = {}
    journey_id: uuid.UUID | None = None

    @classmethod
    def of(cls, code: str, template: str, journey_id: uuid.UUID | None = None, **params: Any) -> "Finding":
        return cls(
            code=code, message=template % params, template=template, params=params, journey_id=journey_id
        )


class JourneyRead(ReadModel):
    id: uuid.UUID
    purpose: str
    status: str
    requested_by: str
    requesting_org_id: uuid.UUID | None
    origin_label: str
    origin_lat: float
    origin_lon: float
    origin_site_id: uuid.UUID | None
    destination_label: str
    destination_lat: float
    destination_lon: float
    destination_site_id: uuid.UUID | None
    window_start: datetime
    window_end: datetime
    projected_arrival: datetime
    route_profile: str
    escort_unit_id: uuid.UUID | None
    convoy_leader: str | None
    convoy_leader_call_sign: str | None
    decision_reason: str | None
    tlp: str
    version: int


class JourneyDetail(JourneyRead):
    route: dict[str, Any]
    checkpoints: list[dict[str, Any]]
    assessment: dict[str, Any]
    checkin_schedule: list[str]
    person_ids: list[uuid.UUID]
    vehicles: list[VehicleRead]
    events: list[EventRead]
    unmet_requirements: list[Finding]
    conflicts: list[Finding]


class JourneyParams(ListParams):
    status: JOURNEY_STATES | None = None
    escort_unit_id: uuid.UUID | None = None


class CheckInCreate(Strict):
    method: Literal["field", "operator"] = "operator"
    person_id: uuid.UUID | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    note: str = Field("", max_length=2000)


class CheckInRead(ReadModel):
    id: uuid.UUID
    journey_id: uuid.UUID
    at: datetime
    by: str
    method: str
    person_id: uuid.UUID | None
    lat: float | None
    lon: float | None
    note: str
