"""Journey tables: a movement of protected persons, its frozen route and assessment, its timeline."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jsms.core.db import Audited, Base, IdMixin, TimestampMixin, UTCDateTime, VersionMixin
from jsms.core.marking import Marked

# Journeys in these states hold their vehicles, persons and escorts for their time window.
RESERVING = ("submitted", "approved", "under_way")


class Journey(IdMixin, TimestampMixin, VersionMixin, Marked, Audited, Base):
    """A movement request: who travels in what, from where to where, when, on which route."""

    __tablename__ = "journey"
    __policy_name__ = "journey"
    __scope_columns__ = {"own": "requesting_org_id"}
    __table_args__ = (Index("ix_journey_status_window", "status", "window_start", "occupied_until"),)

    purpose: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    requesting_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    requested_by: Mapped[str] = mapped_column(String(80))

    origin_label: Mapped[str] = mapped_column(String(200))
    origin_lat: Mapped[float]
    origin_lon: Mapped[float]
    origin_site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))
    destination_label: Mapped[str] = mapped_column(String(200))
    destination_lat: Mapped[float]
    destination_lon: Mapped[float]
    destination_site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))

    # Departure window; the journey holds its people and vehicles until `occupied_until`
    # (the latest departure plus the route's duration).
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    occupied_until: Mapped[datetime] = mapped_column(UTCDateTime)
    projected_arrival: Mapped[datetime] = mapped_column(UTCDateTime)

    # Frozen when the route is chosen: geometry and figures, checkpoints, SOP assessment.
    route_profile: Mapped[str] = mapped_column(String(16))
    route: Mapped[dict[str, Any]] = mapped_column(JSON)
    checkpoints: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    assessment: Mapped[dict[str, Any]] = mapped_column(JSON)
    checkin_schedule: Mapped[list[str]] = mapped_column(JSON, default=list)

    escort_unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id"))
    convoy_leader: Mapped[str | None] = mapped_column(String(200))
    convoy_leader_call_sign: Mapped[str | None] = mapped_column(String(40))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    persons: Mapped[list["JourneyPerson"]] = relationship(
        back_populates="journey", lazy="selectin", cascade="all, delete-orphan"
    )
    vehicles: Mapped[list["JourneyVehicle"]] = relationship(
        back_populates="journey", lazy="selectin", cascade="all, delete-orphan"
    )
    events: Mapped[list["JourneyEvent"]] = relationship(
        back_populates="journey", lazy="selectin", cascade="all, delete-orphan", order_by="JourneyEvent.at"
    )


class JourneyPerson(IdMixin, Audited, Base):
    __tablename__ = "journey_person"

    journey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journey.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("protected_person.id"), index=True)

    journey: Mapped[Journey] = relationship(back_populates="persons")


class JourneyVehicle(IdMixin, Audited, Base):
    """A vehicle on a journey: carrying the persons ("transport") or escorting them ("escort")."""

    __tablename__ = "journey_vehicle"

    journey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journey.id"), index=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("asset.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    journey: Mapped[Journey] = relationship(back_populates="vehicles")


class JourneyEvent(IdMixin, Audited, Base):
    """One step of the journey's timeline: who did what when, and the state it left."""

    __tablename__ = "journey_event"

    journey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journey.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")

    journey: Mapped[Journey] = relationship(back_populates="events")


class JourneyCheckIn(IdMixin, Audited, Base):
    """A report that all is well: from the field page, an escort leader's radio call an operator
    records, or a device. Missed check-ins are what the live engine looks for."""

    __tablename__ = "journey_checkin"

    journey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journey.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(80))
    method: Mapped[str] = mapped_column(String(16))  # field | operator
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("protected_person.id"))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    note: Mapped[str] = mapped_column(Text, default="")
