"""Report tables: the outlook the analyst on duty writes for a day's situation report."""

from datetime import date

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jsms.core.db import Audited, Base, IdMixin, TimestampMixin, VersionMixin


class SitrepOutlook(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    __tablename__ = "sitrep_outlook"

    day: Mapped[date] = mapped_column(Date, unique=True)
    text: Mapped[str] = mapped_column(Text)
    analyst: Mapped[str] = mapped_column(String(80))
