"""Pydantic in/out models of incidents."""

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, HttpUrl, model_validator

from jsms.core.crud import ListParams
from jsms.core.marking import Tlp
from jsms.core.schemas import NoNulls, ReadModel, Strict

INCIDENT_KINDS = Literal[
    "suicide_bombing",
    "ied",
    "armed_attack",
    "kidnapping",
    "rocket_grenade",
    "foiled_plot",
    "threat",
    "other",
]
TARGET_CATEGORIES = Literal[
    "foreign_nationals",
    "project_site",
    "convoy",
    "security_forces",
    "diplomatic",
    "civilians",
    "infrastructure",
    "other",
]
INCIDENT_STATES = Literal["draft", "verified", "closed", "rejected"]
TIME_PRECISIONS = Literal["time", "day", "month"]
INVESTIGATION_STATUSES = Literal[
    "open", "suspects_identified", "arrests_made", "charged", "on_trial", "concluded", "closed_unsolved"
]
PARTY_CODES = Literal["host", "partner"]


class SourceIn(Strict):
    title: str = Field(min_length=1, max_length=300)
    url: HttpUrl | None = None
    publisher: str | None = Field(None, max_length=200)
    published_on: date | None = None


class SourceRead(ReadModel):
    title: str
    url: str | None
    publisher: str | None
    published_on: date | None


Count = int | None


def in_utc(moment: datetime | None) -> datetime | None:
    """Times are stored and answered in UTC, whatever zone the client wrote them in."""
    return moment.astimezone(UTC) if moment is not None else None


UtcTime = Annotated[AwareDatetime, AfterValidator(in_utc)]


class Casualties(Strict):
    killed: Count = Field(None, ge=0, le=10_000)
    injured: Count = Field(None, ge=0, le=10_000)
    killed_protected: Count = Field(None, ge=0, le=10_000, description="Protected nationals killed")
    injured_protected: Count = Field(None, ge=0, le=10_000, description="Protected nationals injured")

    @model_validator(mode="after")
    def _protected_within_total(self):
        for part, whole in (("killed_protected", "killed"), ("injured_protected", "injured")):
            if (
                getattr(self, part) is not None
                and getattr(self, whole) is not None
                and getattr(self, part) > getattr(self, whole)
            ):
                raise ValueError(f"{part} cannot exceed {whole}")
        return self


class IncidentCreate(Casualties):
    title: str = Field(min_length=1, max_length=300)
    occurred_at: UtcTime
    time_precision: TIME_PRECISIONS = "day"
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    place_name: str = Field("", max_length=200)
    kind: INCIDENT_KINDS
    target_category: TARGET_CATEGORIES = "other"
    protected_nationality_targeted: bool = False
    claimed_by: str | None = Field(None, max_length=200)
    narrative: str = Field("", max_length=20_000)
    sources: list[SourceIn] = Field(default_factory=list, max_length=50)
    tlp: Tlp | None = None
    release_to: list[PARTY_CODES] | None = None


class IncidentUpdate(Casualties, NoNulls):
    nullable: ClassVar[frozenset[str]] = frozenset(
        {"killed", "injured", "killed_protected", "injured_protected", "claimed_by", "release_to"}
    )

    title: str | None = Field(None, min_length=1, max_length=300)
    occurred_at: UtcTime | None = None
    time_precision: TIME_PRECISIONS | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    place_name: str | None = Field(None, max_length=200)
    kind: INCIDENT_KINDS | None = None
    target_category: TARGET_CATEGORIES | None = None
    protected_nationality_targeted: bool | None = None
    claimed_by: str | None = Field(None, max_length=200)
    narrative: str | None = Field(None, max_length=20_000)
    sources: list[SourceIn] | None = None
    tlp: Tlp | None = None
    release_to: list[PARTY_CODES] | None = None

    @model_validator(mode="after")
    def _place_whole(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        return self


class InvestigationIn(Strict):
    status: INVESTIGATION_STATUSES = "open"
    arrests: int = Field(0, ge=0, le=10_000)
    charges: str = Field("", max_length=5000)
    prosecution: str = Field("", max_length=5000)
    next_hearing: date | None = None
    notes: str = Field("", max_length=10_000)


STEP_KINDS = Literal["arrest", "charge", "hearing", "verdict", "other"]


class StepIn(Strict):
    on: date
    kind: STEP_KINDS
    count: int | None = Field(None, ge=1, le=10_000, description="People arrested or charged")
    text: str = Field(min_length=1, max_length=5000)


class StepRead(ReadModel):
    on: date
    kind: str
    count: int | None
    text: str
    recorded_by: str
    recorded_at: datetime


class InvestigationRead(ReadModel):
    status: str
    arrests: int
    charges: str
    prosecution: str
    next_hearing: date | None
    notes: str
    updated_at: datetime
    steps: list[StepRead] = []


class StateChange(Strict):
    reason: str = Field("", max_length=2000)


class RejectIncident(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class MarkingRead(BaseModel):
    tlp: Tlp
    tlp_label: str
    owner_party: str
    release_to: list[str]


class IncidentRead(ReadModel):
    id: uuid.UUID
    title: str
    occurred_at: datetime
    time_precision: str
    lat: float
    lon: float
    place_name: str
    province: str | None
    district: str | None
    h3_cell: str
    kind: str
    target_category: str
    protected_nationality_targeted: bool
    killed: int | None
    injured: int | None
    killed_protected: int | None
    injured_protected: int | None
    claimed_by: str | None
    narrative: str
    state: str
    state_reason: str | None
    verified_at: datetime | None
    verified_by: str | None
    historical: bool
    synthetic: bool
    source_system: str
    external_id: str | None
    sources: list[SourceRead]
    marking: MarkingRead
    version: int


class IncidentDetail(IncidentRead):
    """One incident; its investigation only where the policy shows investigations."""

    investigation: InvestigationRead | None = None


class IncidentParams(ListParams):
    state: INCIDENT_STATES | None = None
    kind: INCIDENT_KINDS | None = None
    province: str | None = Field(None, pattern=r"^PK-(BA|GB|IS|JK|KP|PB|SD)$")
    district: str | None = Field(None, max_length=80)
    protected_nationality_targeted: bool | None = None
    source_system: str | None = Field(None, max_length=16)
