"""Pydantic in/out models of the risk picture."""

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from jsms.core.schemas import ReadModel
from jsms.risk.sop import Posture, Requirements, RuleSet


class AreaLevel(BaseModel):
    area: str
    area_kind: str
    name: str
    level: int
    level_label: str
    computed_level: int
    intensity: float
    updated_at: datetime
    override: "OverrideRead | None" = None


class LevelChange(ReadModel):
    area: str
    area_kind: str
    previous_level: int | None
    level: int
    intensity: float
    cause: str
    reason: str
    at: datetime


class PointRisk(BaseModel):
    lat: float
    lon: float
    intensity: float
    level: int
    level_label: str


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    area: str = Field(min_length=4, max_length=100, description='"PK-BA" or "PK-BA/Gwadar"')
    level: int = Field(ge=1, le=5)
    reason: str = Field(min_length=3, max_length=2000)
    expires_at: AwareDatetime


class OverrideRead(ReadModel):
    id: uuid.UUID
    area: str
    level: int
    reason: str
    expires_at: datetime
    status: str
    proposed_by: str
    proposed_at: datetime
    approved_by: dict[str, str]


class RuleSetVersion(ReadModel):
    number: int
    status: str
    summary: str
    rules: dict
    created_by: str
    created_at: datetime


class RuleSetProposal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(min_length=1, max_length=2000)
    rules: RuleSet


class PostureRequirements(BaseModel):
    sop_version: int
    posture: Posture
    requirements: Requirements
    applied_rules: list[str]


class SiteRiskRead(BaseModel):
    site_id: uuid.UUID
    surrounding_intensity: float
    tier: int
    risk: float
    level: int
    level_label: str
    assessment_score: float | None = Field(None, description="Latest final joint assessment, 0–100")
    protection: float = Field(1.0, description="Factor the assessment applies to the risk")
