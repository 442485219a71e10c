"""Report tables: what analysts write into reports — the outlook of a day's situation report, the
judgement of a province's weekly threat assessment — and who receives which report by e-mail."""

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jsms.core.db import Audited, Base, IdMixin, TimestampMixin, UTCDateTime, VersionMixin


class ReportNote(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    __tablename__ = "report_note"
    __table_args__ = (UniqueConstraint("kind", "area", "day"),)

    kind: Mapped[str] = mapped_column(String(16))  # sitrep (outlook) | assessment (judgement)
    area: Mapped[str] = mapped_column(String(8), default="")  # the province of an assessment
    day: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    analyst: Mapped[str] = mapped_column(String(80))


class ReportSubscription(IdMixin, TimestampMixin, Audited, Base):
    """A user's standing order for a report by e-mail: each day's SITREP after 08:00 Pakistan
    time, or a province's threat assessment each Monday. The copy sent is the one the policy
    gives that user, made anew for every delivery."""

    __tablename__ = "report_subscription"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # sitrep | assessment
    province: Mapped[str] = mapped_column(String(8), default="")
    language: Mapped[str] = mapped_column(String(2))
    format: Mapped[str] = mapped_column(String(4), default="pdf")
    email: Mapped[str] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(default=True)


class ReportDelivery(IdMixin, Audited, Base):
    """One report sent (or tried) to a subscriber, once per report day."""

    __tablename__ = "report_delivery"
    __table_args__ = (UniqueConstraint("subscription_id", "day"),)

    subscription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report_subscription.id"))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))  # sent | failed
    attempts: Mapped[int] = mapped_column(default=1)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    marking: Mapped[str] = mapped_column(String(16), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")
