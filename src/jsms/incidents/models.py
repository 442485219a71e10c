"""Incident tables: what happened where, its sources, and the investigation that followed."""

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jsms.core.db import Audited, Base, IdMixin, TimestampMixin, UTCDateTime, VersionMixin
from jsms.core.marking import Marked


class Incident(IdMixin, TimestampMixin, VersionMixin, Marked, Audited, Base):
    """One attack, plot or threat: draft until an analyst verifies it (or rejects it)."""

    __tablename__ = "incident"
    __policy_name__ = "incident"
    __table_args__ = (
        UniqueConstraint("source_system", "external_id"),
        Index("ix_incident_state_occurred", "state", "occurred_at"),
        Index("ix_incident_h3_cell", "h3_cell"),
        Index("ix_incident_province", "province"),
    )

    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # How exactly the time is known: "time", "day" or "month" (news often gives no more).
    time_precision: Mapped[str] = mapped_column(String(8), default="day")
    lat: Mapped[float]
    lon: Mapped[float]
    place_name: Mapped[str] = mapped_column(String(200), default="")
    province: Mapped[str | None] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(80))
    h3_cell: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))
    target_category: Mapped[str] = mapped_column(String(24))
    protected_nationality_targeted: Mapped[bool] = mapped_column(default=False)
    killed: Mapped[int | None]
    injured: Mapped[int | None]
    killed_protected: Mapped[int | None]
    injured_protected: Mapped[int | None]
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    narrative: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="draft")
    state_reason: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by: Mapped[str | None] = mapped_column(String(80))
    # A real attack from the public record (demo history), or made-up background for the demo.
    historical: Mapped[bool] = mapped_column(default=False)
    synthetic: Mapped[bool] = mapped_column(default=False)
    # Where it came from: "field", "acled", "gtd", "csv", "osint", "partner"; with the id there.
    source_system: Mapped[str] = mapped_column(String(16), default="field")
    external_id: Mapped[str | None] = mapped_column(String(80))

    sources: Mapped[list["IncidentSource"]] = relationship(
        back_populates="incident",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="IncidentSource.position",
    )
    investigation: Mapped["Investigation | None"] = relationship(
        back_populates="incident", lazy="selectin", cascade="all, delete-orphan", uselist=False
    )


class IncidentSource(IdMixin, Audited, Base):
    __tablename__ = "incident_source"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(1000))
    publisher: Mapped[str | None] = mapped_column(String(200))
    published_on: Mapped[date | None] = mapped_column(Date)

    incident: Mapped[Incident] = relationship(back_populates="sources")


class Investigation(IdMixin, TimestampMixin, Audited, Base):
    """What the investigation of an incident has reached: arrests, charges, prosecution, hearings."""

    __tablename__ = "investigation"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), unique=True)
    status: Mapped[str] = mapped_column(String(24), default="open")
    arrests: Mapped[int] = mapped_column(default=0)
    charges: Mapped[str] = mapped_column(Text, default="")
    prosecution: Mapped[str] = mapped_column(Text, default="")
    next_hearing: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    incident: Mapped[Incident] = relationship(back_populates="investigation")
    steps: Mapped[list["InvestigationStep"]] = relationship(
        back_populates="investigation",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="InvestigationStep.on",
    )


class InvestigationStep(IdMixin, Audited, Base):
    """One step of an investigation as it happened: arrests, charges, a hearing, a verdict."""

    __tablename__ = "investigation_step"

    investigation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("investigation.id"), index=True)
    on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # arrest | charge | hearing | verdict | other
    count: Mapped[int | None]  # people arrested or charged, where the step says
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    investigation: Mapped[Investigation] = relationship(back_populates="steps")
