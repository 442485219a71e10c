"""Alert tables: the alert, its timeline, the keys that make raising idempotent, and delivery."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jsms.core.crypto import EncryptedText
from jsms.core.db import Audited, Base, IdMixin, TimestampMixin, UTCDateTime, VersionMixin
from jsms.core.marking import Marked


class Alert(IdMixin, TimestampMixin, VersionMixin, Marked, Audited, Base):
    """Something an operator must act on: what, how grave, about whom, why (evidence), and who
    took it in hand. The message is a translatable template with its parameters."""

    __tablename__ = "alert"
    __policy_name__ = "alert"
    __scope_columns__ = {"own": "org_id"}
    __table_args__ = (
        Index("ix_alert_status_raised", "status", "raised_at"),
        Index("ix_alert_group_open", "group_key", "status"),
        Index("ix_alert_escalate", "status", "escalate_at"),
    )

    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))  # CAP: minor | moderate | severe | extreme
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | acknowledged | resolved
    group_key: Mapped[str] = mapped_column(String(200))
    subject_type: Mapped[str] = mapped_column(String(16))  # journey | device | area
    subject_id: Mapped[str] = mapped_column(String(64))
    subject_label: Mapped[str] = mapped_column(String(200))
    journey_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    device_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    area: Mapped[str | None] = mapped_column(String(40))  # ISO 3166-2 (province) or district key
    message: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    repeats: Mapped[int] = mapped_column(default=0)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tier: Mapped[int] = mapped_column(default=1)
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolution: Mapped[str | None] = mapped_column(Text)

    events: Mapped[list["AlertEvent"]] = relationship(
        back_populates="alert", lazy="selectin", cascade="all, delete-orphan", order_by="AlertEvent.at"
    )


class AlertEvent(IdMixin, Audited, Base):
    """One step of an alert's life: raised, repeated, escalated, acknowledged, cleared, resolved."""

    __tablename__ = "alert_event"

    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(24))
    tier: Mapped[int] = mapped_column(default=1)
    note: Mapped[str] = mapped_column(Text, default="")

    alert: Mapped[Alert] = relationship(back_populates="events")


class AlertKey(Base):
    """Every finding key ever raised, and the alert it went to: the same finding twice (a replay
    after a crash, a second worker) changes nothing."""

    __tablename__ = "alert_key"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert.id"), index=True)


class AlertChannel(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    """Where alerts go besides the pages: a webhook (signed with HMAC-SHA256) or an e-mail address.
    A channel receives alerts once they reach its tier, of the kinds and severity it asks for."""

    __tablename__ = "alert_channel"
    __policy_name__ = "alert_channel"
    __audit_redact__ = frozenset({"secret"})

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # webhook | email
    target: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(EncryptedText)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every kind
    min_severity: Mapped[str] = mapped_column(String(16), default="minor")
    tier: Mapped[int] = mapped_column(default=1)
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Whose people the target reaches (host or partner); none: this node's own party. An alert goes
    # to the other party's people only if its marking lets that party read it, and is logged.
    audience: Mapped[str | None] = mapped_column(String(16))


class AlertDelivery(IdMixin, Base):
    """One alert (at one step) to one channel, written with the alert and sent after commit by the
    delivery loop, retried with back-off until it goes through; a channel that is down holds up
    nothing else."""

    __tablename__ = "alert_delivery"
    __table_args__ = (Index("ix_alert_delivery_due", "status", "next_attempt_at"),)

    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert.id"), index=True)
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert_channel.id"))
    action: Mapped[str] = mapped_column(String(24))  # raised | escalated
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
