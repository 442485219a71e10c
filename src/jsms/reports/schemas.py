"""Report requests and the outlook in and out."""

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jsms.core.schemas import ReadModel, Strict


class SitrepParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = Field(
        None, description="The report's day; of an assessment, the week's last day (default: today)"
    )
    lang: Literal["en", "zh", "ur"] | None = Field(None, description="Default: the reader's language")
    format: Literal["html", "pdf"] = "pdf"


class AssessmentParams(SitrepParams):
    province: str = Field(pattern=r"^PK-(BA|GB|IS|JK|KP|PB|SD)$", description="e.g. PK-BA")


class NoteIn(Strict):
    text: str = Field(min_length=1, max_length=10_000)


class NoteRead(ReadModel):
    kind: str
    area: str
    day: dt.date
    text: str
    analyst: str
    updated_at: dt.datetime


class SubscriptionIn(Strict):
    kind: Literal["sitrep", "assessment"]
    province: str | None = Field(
        None, pattern=r"^PK-(BA|GB|IS|JK|KP|PB|SD)$", description="For an assessment"
    )
    language: Literal["en", "zh", "ur"] | None = Field(None, description="Default: the subscriber's language")
    format: Literal["pdf", "html"] = "pdf"
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    @model_validator(mode="after")
    def _province_for_assessments(self):
        if (self.kind == "assessment") != (self.province is not None):
            raise ValueError("an assessment needs a province, and only an assessment has one")
        return self


class SubscriptionRead(ReadModel):
    id: uuid.UUID
    kind: str
    province: str
    language: str
    format: str
    email: str
    active: bool
    created_at: dt.datetime


class DeliveryRead(ReadModel):
    id: uuid.UUID
    subscription_id: uuid.UUID
    day: dt.date
    status: str
    attempts: int
    at: dt.datetime
    marking: str
    error: str
