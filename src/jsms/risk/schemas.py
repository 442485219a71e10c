"""Pydantic in/out models of the risk picture."""

from datetime import datetime

from pydantic import BaseModel

from jsms.core.schemas import ReadModel


class AreaLevel(BaseModel):
    area: str
    area_kind: str
    name: str
    level: int
    level_label: str
    computed_level: int
    intensity: float
    updated_at: datetime


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
