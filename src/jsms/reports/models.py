"""Report tables: what analysts write into reports — the outlook of a day's situation report, the
judgement of a province's weekly threat assessment."""

from datetime import date

from sqlalchemy import Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jsms.core.db import Audited, Base, IdMixin, TimestampMixin, VersionMixin


class ReportNote(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    __tablename__ = "report_note"
    __table_args__ = (UniqueConstraint("kind", "area", "day"),)

    kind: Mapped[str] = mapped_column(String(16))  # sitrep (outlook) | assessment (judgement)
    area: Mapped[str] = mapped_column(String(8), default="")  # the province of an assessment
    day: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    analyst: Mapped[str] = mapped_column(String(80))
