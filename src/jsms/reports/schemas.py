"""Report requests and the outlook in and out."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jsms.core.schemas import ReadModel, Strict


class SitrepParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = Field(None, description="The report's day (default: today in Pakistan)")
    lang: Literal["en", "zh", "ur"] | None = Field(None, description="Default: the reader's language")
    format: Literal["html", "pdf"] = "pdf"


class OutlookIn(Strict):
    text: str = Field(min_length=1, max_length=10_000)


class OutlookRead(ReadModel):
    day: dt.date
    text: str
    analyst: str
    updated_at: dt.datetime
