"""Pydantic in/out models of alerts and alert channels."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, HttpUrl, model_validator

from jsms.core.crud import ListParams
from jsms.core.schemas import ReadModel, Strict

SEVERITY = Literal["minor", "moderate", "severe", "extreme"]
STATE = Literal["open", "acknowledged", "resolved"]


class AlertEventRead(ReadModel):
    at: datetime
    actor: str
    action: str
    tier: int
    note: str


class AlertRead(ReadModel):
    id: uuid.UUID
    kind: str
    severity: str
    status: str
    subject_type: str
    subject_id: str
    subject_label: str
    journey_id: uuid.UUID | None
    device_id: uuid.UUID | None
    area: str | None
    message: str = Field(description="In the reader's language")
    params: dict[str, Any]
    lat: float | None
    lon: float | None
    repeats: int
    raised_at: datetime
    last_seen_at: datetime
    cleared_at: datetime | None
    tier: int
    escalate_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    tlp: str
    version: int


class AlertDetail(AlertRead):
    evidence: list[dict[str, Any]]
    events: list[AlertEventRead]


class AlertPage(BaseModel):
    items: list[AlertRead]
    total: int
    limit: int
    offset: int


class AlertParams(ListParams):
    status: STATE | None = None
    kind: str | None = Field(None, max_length=32)
    severity: SEVERITY | None = None
    journey_id: uuid.UUID | None = None
    active: bool | None = Field(None, description="Only alerts not yet resolved")


class Acknowledge(Strict):
    note: str = Field("", max_length=2000)


class Resolve(Strict):
    note: str = Field(min_length=1, max_length=2000, description="What was done")


class ChannelCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["webhook", "email"]
    target: str = Field(min_length=3, max_length=500, description="The webhook URL or the e-mail address")
    secret: str | None = Field(None, min_length=16, max_length=200, description="Signs webhook calls")
    kinds: list[str] = Field(default_factory=list, max_length=20)
    min_severity: SEVERITY = "minor"
    tier: int = Field(1, ge=1, le=3)
    language: Literal["en", "zh", "ur"] = "en"
    active: bool = True
    audience: Literal["host", "partner"] | None = Field(
        None, description="Whose people the target reaches; none: this node's own party"
    )

    @model_validator(mode="after")
    def _target(self):
        if self.kind == "webhook":
            HttpUrl(self.target)
        elif "@" not in self.target or " " in self.target:
            raise ValueError("an e-mail channel's target must be an e-mail address")
        return self


class ChannelUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=200)
    target: str | None = Field(None, min_length=3, max_length=500)
    secret: str | None = Field(None, min_length=16, max_length=200)
    kinds: list[str] | None = Field(None, max_length=20)
    min_severity: SEVERITY | None = None
    tier: int | None = Field(None, ge=1, le=3)
    language: Literal["en", "zh", "ur"] | None = None
    active: bool | None = None
    audience: Literal["host", "partner"] | None = None


class ChannelRead(ReadModel):
    id: uuid.UUID
    name: str
    kind: str
    target: str
    kinds: list[str]
    min_severity: str
    tier: int
    language: str
    active: bool
    audience: str | None
    version: int


class ChannelParams(ListParams):
    kind: Literal["webhook", "email"] | None = None
