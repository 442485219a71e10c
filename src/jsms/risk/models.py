"""Risk tables: each area's current threat level and the history of every change."""

from datetime import datetime

from sqlalchemy import Float, Index, String, Text
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
