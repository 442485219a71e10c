"""Tracking tables: devices, the positions they report, and the live engine's saved state.

Positions are telemetry, written by the thousand per second in group commits: they are not
audited row by row (the registry of devices is), and their times are Unix seconds (floats),
which the hot path writes without conversion. Reading a journey's track is audited.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from jsms.core.db import Audited, Base, IdMixin, TimestampMixin, UTCDateTime, VersionMixin
from jsms.core.marking import Marked

# SQLite gives an auto-incrementing key only to INTEGER PRIMARY KEY columns.
SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")


class Device(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    """A phone or vehicle tracker, known by the identifier it sends, carried by a vehicle or a person."""

    __tablename__ = "device"
    __policy_name__ = "device"
    __scope_columns__ = {"own": "owner_org_id"}
    __audit_redact__ = frozenset({"token_digest"})

    identifier: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))  # phone | vehicle_tracker
    asset_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("asset.id"), index=True)
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("protected_person.id"), index=True)
    owner_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A device with a token must send it (`token=` or a bearer header) with every report.
    token_digest: Mapped[str | None] = mapped_column(String(64))


class PingBlock(Base):
    """Positions as they were reported, one row per device per group commit.

    Storing a row per position costs more than everything else the intake does (every row touches
    every index), so a group of a device's fixes is stored as one block: their numbers as float64
    columns in `data` (BLOCK_COLUMNS, NaN where a report had none), and the rare alarms and
    extra attributes in `extras` as [index, alarm, attributes]. `track()` expands them again."""

    __tablename__ = "ping_block"
    __table_args__ = (
        Index("ix_ping_block_journey_t", "journey_id", "t_first"),
        Index("ix_ping_block_device_t", "device_id", "t_first"),
        Index("ix_ping_block_t", "t_last"),
    )

    seq: Mapped[int] = mapped_column(SEQUENCE, primary_key=True, autoincrement=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"))
    journey_id: Mapped[uuid.UUID | None]
    t_first: Mapped[float] = mapped_column(Float)  # Unix seconds
    t_last: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    extras: Mapped[list[Any] | None] = mapped_column(JSON)


BLOCK_COLUMNS = ("t", "received", "lat", "lon", "speed_kmh", "bearing", "accuracy", "battery")


class DeviceStatus(Base):
    """The last report of each device: where it is, when it was last heard, which journey it is on."""

    __tablename__ = "device_status"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"), primary_key=True)
    t: Mapped[float] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    battery: Mapped[float | None] = mapped_column(Float)
    journey_id: Mapped[uuid.UUID | None]


class MonitorState(Base):
    """The live engine's memory of one journey (dwell timers, open episodes), saved with each batch
    that changes it, so another process continues where a stopped one left off."""

    __tablename__ = "monitor_state"

    journey_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StreamOffset(Base):
    """The last stream entry whose effects are stored, per partition (scale-out with Redis): an entry
    delivered again after a crash is recognised and skipped, so nothing counts twice."""

    __tablename__ = "stream_offset"

    partition: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[str] = mapped_column(String(40))


class RollCall(IdMixin, TimestampMixin, VersionMixin, Marked, Audited, Base):
    """After a verified incident: every protected person who may have been near it, until each is
    accounted for. Carries the incident's marking; its entries are personal and scoped by person."""

    __tablename__ = "roll_call"
    __policy_name__ = "rollcall"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | complete
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(120))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RollCallEntry(IdMixin, Audited, Base):
    """One person on a roll call: why they are on it (where they were last known) and whether,
    how, when and by whom they were accounted for."""

    __tablename__ = "roll_call_entry"
    __policy_name__ = "rollcall"
    __scope_columns__ = {"own": "employer_org_id", "nationals": "nationality"}
    __table_args__ = (Index("ux_roll_call_person", "roll_call_id", "person_id", unique=True),)

    roll_call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("roll_call.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("protected_person.id"))
    employer_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    nationality: Mapped[str] = mapped_column(String(2))
    found_by: Mapped[str] = mapped_column(String(16))  # last_ping | journey | site
    journey_id: Mapped[uuid.UUID | None]
    distance_m: Mapped[float] = mapped_column(Float)
    accounted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accounted_by: Mapped[str | None] = mapped_column(String(120))
    accounted_how: Mapped[str | None] = mapped_column(String(16))  # checkin | operator
    note: Mapped[str] = mapped_column(String(2000), default="")
