"""Risk tables: each area's current threat level and the history of every change."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jsms.core.db import Audited, Base, IdMixin, UTCDateTime, utcnow


class ThreatLevel(Audited, Base):
    """The level in force for a province ("PK-BA") or a district ("PK-BA/Gwadar")."""

    __tablename__ = "threat_level"

    area: Mapped[str] = mapped_column(String(100), primary_key=True)
    area_kind: Mapped[str] = mapped_column(String(10))  # province | district
    level: Mapped[int]
    computed_level: Mapped[int]
    intensity: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThreatLevelChange(IdMixin, Base):
    """One change of an area's level, kept for ever (what was in force when, and why)."""

    __tablename__ = "threat_level_change"
    __table_args__ = (Index("ix_threat_level_change_area_at", "area", "at"),)

    area: Mapped[str] = mapped_column(String(100))
    area_kind: Mapped[str] = mapped_column(String(10))
    previous_level: Mapped[int | None]
    level: Mapped[int]
    intensity: Mapped[float] = mapped_column(Float)
    cause: Mapped[str] = mapped_column(String(24))  # computed | override | override_expired
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThreatOverride(IdMixin, Audited, Base):
    """An analyst's level for an area, with a reason and an expiry; needs both parties where the
    policy lists threat-level overrides among the dual-approval decisions."""

    __tablename__ = "threat_override"
    __table_args__ = (Index("ix_threat_override_area_status", "area", "status"),)

    area: Mapped[str] = mapped_column(String(100))
    level: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))  # proposed | active | expired | withdrawn
    proposed_by: Mapped[str] = mapped_column(String(80))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # party → username


class SopRuleSet(IdMixin, Audited, Base):
    """One numbered version of the standard operating procedures for journeys."""

    __tablename__ = "sop_rule_set"

    number: Mapped[int] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(String(12))  # active | superseded
    summary: Mapped[str] = mapped_column(Text, default="")
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
