"""Pydantic in/out models of news monitoring."""

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, HttpUrl, model_validator

from jsms.core.crud import ListParams
from jsms.core.marking import Tlp
from jsms.core.schemas import NoNulls, ReadModel, Strict
from jsms.incidents.schemas import INCIDENT_KINDS, TARGET_CATEGORIES

EVENT_STATUSES = Literal["pending", "accepted", "merged", "rejected"]
MAX_ARTICLE_CHARS = 200_000


class ArticleIn(Strict):
    """One article handed in: its text, or the HTML page it is on (the main text is taken)."""

    text: str | None = Field(None, max_length=MAX_ARTICLE_CHARS)
    html: str | None = Field(None, max_length=4 * MAX_ARTICLE_CHARS)
    title: str | None = Field(None, max_length=300)
    published_on: date | None = None
    source: str | None = Field(None, max_length=200, description="The outlet, or the article's URL")
    location: str | None = Field(None, max_length=1000, description="Where it was read (URL)")

    @model_validator(mode="after")
    def _one_body(self):
        if bool(self.text and self.text.strip()) == bool(self.html and self.html.strip()):
            raise ValueError("give the article as text or as html (one of them)")
        return self


class ArticleRead(ReadModel):
    id: uuid.UUID
    title: str
    source: str | None
    location: str
    published_on: date | None
    reports_new_incident: bool
    event_id: uuid.UUID | None
    created_at: datetime


class ArticleDetail(ArticleRead):
    text: str
    extraction: dict[str, Any]


class Ingested(Strict):
    article: ArticleRead
    duplicate: bool = Field(description="The same text was stored before; nothing changed")
    event_id: uuid.UUID | None = Field(description="The proposed event the article reports, if any")
    new_event: bool


class EventRead(ReadModel):
    id: uuid.UUID
    status: str
    title: str
    occurred_on: date | None
    fields: dict[str, Any]
    confidence: float
    incident_id: uuid.UUID | None
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    tlp: str
    created_at: datetime
    updated_at: datetime
    articles: list[ArticleRead]


class EventParams(ListParams):
    status: EVENT_STATUSES | None = None


class ArticleParams(ListParams):
    reports_new_incident: bool | None = None


class Accept(Strict):
    """Accept a proposal; any value given here replaces what was read from the articles."""

    title: str | None = Field(None, min_length=1, max_length=300)
    kind: INCIDENT_KINDS | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    place_name: str | None = Field(None, max_length=200)
    target_category: TARGET_CATEGORIES | None = None
    tlp: Tlp | None = None
    note: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _place_whole(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        return self

    def overrides(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude={"note"}).items() if v is not None}


class Merge(Strict):
    incident_id: uuid.UUID
    note: str = Field("", max_length=2000)


class Reject(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class Decided(Strict):
    event: EventRead
    incident_id: uuid.UUID | None


class FeedIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    url: HttpUrl
    active: bool = True
    poll_minutes: int = Field(30, ge=5, le=1440, description="Minutes between reads")


class FeedUpdate(Strict, NoNulls):
    name: str | None = Field(None, min_length=1, max_length=200)
    url: HttpUrl | None = None
    active: bool | None = None
    poll_minutes: int | None = Field(None, ge=5, le=1440)


class FeedRead(ReadModel):
    id: uuid.UUID
    name: str
    url: str
    active: bool
    poll_minutes: int
    last_polled_at: datetime | None
    last_new_articles: int
    last_error: str | None
    version: int


class FeedParams(ListParams):
    active: bool | None = None


class Polled(Strict):
    entries: int
    new_articles: int
    error: str | None
