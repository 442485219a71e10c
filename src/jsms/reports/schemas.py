"""Report requests and the outlook in and out."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
