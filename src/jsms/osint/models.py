"""News monitoring tables: each article stored once, and the events they report awaiting review."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jsms.core.db import Audited, Base, IdMixin, TimestampMixin, UTCDateTime, VersionMixin
from jsms.core.marking import Marked


class NewsEvent(IdMixin, TimestampMixin, VersionMixin, Marked, Audited, Base):
    """One attack reported by one or more articles: a proposed incident until an analyst decides.

    `pending` waits for a decision; `accepted` made (or updated) a draft incident; `merged` went
    into an incident that existed already; `rejected` is no incident. A later article about an
    accepted or merged event makes it pending again, so the analyst sees what the article adds."""

    __tablename__ = "news_event"
    __policy_name__ = "osint"
    __table_args__ = (Index("ix_news_event_status_date", "status", "occurred_on"),)

    status: Mapped[str] = mapped_column(String(12), default="pending")
    # The values of the event as the articles give them (the `jsms osint extract` fields).
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_on: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    confidence: Mapped[float] = mapped_column(default=0.0)
    # The headline and lead words of its articles: which event a new report belongs to.
    words: Mapped[list[str]] = mapped_column(JSON, default=list)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incident.id"), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)

    articles: Mapped[list["NewsArticle"]] = relationship(
        back_populates="event", lazy="selectin", order_by="NewsArticle.published_on"
    )


class NewsArticle(IdMixin, TimestampMixin, Audited, Base):
    """An article as read, once: a second copy (same text, another feed) is recognised by its
    fingerprint and not stored again."""

    __tablename__ = "news_article"
    __policy_name__ = "osint"
    __audit_redact__ = frozenset({"text", "extraction"})  # public text: the chain keeps its digest

    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    location: Mapped[str] = mapped_column(String(1000))  # the URL, feed entry or file it came from
    source: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    published_on: Mapped[date | None] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(Text)
    reports_new_incident: Mapped[bool] = mapped_column(default=False)
    # What the extractor read: every attack the article describes, each value with its evidence.
    extraction: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("news_event.id"), index=True)
    # Whether the decision on its event has taken this article in (a source of the incident).
    decided: Mapped[bool] = mapped_column(default=False)

    event: Mapped[NewsEvent | None] = relationship(back_populates="articles")


class NewsFeed(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    """An RSS or Atom feed the node reads by itself, every `poll_minutes`."""

    __tablename__ = "news_feed"
    __policy_name__ = "osint"

    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    poll_minutes: Mapped[int] = mapped_column(default=30)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the last poll found: articles new to the node, or why it failed (None: it worked).
    last_new_articles: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
