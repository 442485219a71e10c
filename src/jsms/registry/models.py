"""Registry tables: projects, sites, protected persons, units, assets, agreements."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jsms.core.crypto import EncryptedText
from jsms.core.db import Audited, Base, IdMixin, TimestampMixin, UTCDateTime, VersionMixin
from jsms.core.marking import Marked
from jsms.core.models import Organisation


class Project(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    __tablename__ = "project"
    __policy_name__ = "project"
    __scope_columns__ = {"own": "sponsor_org_id"}

    name: Mapped[str] = mapped_column(String(200), index=True)
    name_zh: Mapped[str | None] = mapped_column(String(200))
    programme: Mapped[str] = mapped_column(String(16))  # corridor | non_corridor
    sector: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(24))
    sponsor_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    description: Mapped[str] = mapped_column(Text, default="")

    sponsor: Mapped[Organisation | None] = relationship(lazy="raise")


class Unit(TimestampMixin, VersionMixin, Marked, Audited, Base):
    """A security unit; its key is its node in the host party's organisation tree."""

    __tablename__ = "unit"
    __policy_name__ = "unit"
    __scope_columns__ = {"own": "id"}

    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    call_sign: Mapped[str | None] = mapped_column(String(40))
    strength: Mapped[int | None]
    province: Mapped[str | None] = mapped_column(String(8))
    hq_lat: Mapped[float | None]
    hq_lon: Mapped[float | None]
    area_of_responsibility: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    node: Mapped[Organisation] = relationship(lazy="joined")


class Site(IdMixin, TimestampMixin, VersionMixin, Marked, Audited, Base):
    __tablename__ = "site"
    __policy_name__ = "site"
    __scope_columns__ = {"own": "owner_org_id"}
    __table_args__ = (Index("ix_site_h3_cell", "h3_cell"), Index("ix_site_province", "province"))

    name: Mapped[str] = mapped_column(String(200), index=True)
    name_zh: Mapped[str | None] = mapped_column(String(200))
    name_ur: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    security_tier: Mapped[int]
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    lat: Mapped[float]
    lon: Mapped[float]
    h3_cell: Mapped[str] = mapped_column(String(16))
    province: Mapped[str | None] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(80))
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id"))
    guarding_unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id"))
    owner_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    # The latest final joint assessment: its score (0–100) weighs on the site's risk.
    assessment_score: Mapped[float | None]
    assessed_on: Mapped[date | None] = mapped_column(Date)

    project: Mapped[Project | None] = relationship(lazy="raise")
    guarding_unit: Mapped[Unit | None] = relationship(lazy="raise")


class ProtectedPerson(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    __tablename__ = "protected_person"
    __policy_name__ = "person"
    __scope_columns__ = {"own": "employer_org_id", "nationals": "nationality"}
    __audit_redact__ = frozenset({"passport_number", "phone", "emergency_contact_phone"})
    PERSONAL_FIELDS = ("passport_number", "phone", "emergency_contact_phone")

    full_name: Mapped[str] = mapped_column(String(200), index=True)
    name_hanzi: Mapped[str | None] = mapped_column(String(60))
    name_pinyin: Mapped[str | None] = mapped_column(String(200))
    nationality: Mapped[str] = mapped_column(String(2), index=True)
    gender: Mapped[str | None] = mapped_column(String(8))
    job_title: Mapped[str | None] = mapped_column(String(120))
    employer_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id"))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"), index=True)
    emergency_contact_name: Mapped[str | None] = mapped_column(String(200))
    emergency_contact_phone: Mapped[str | None] = mapped_column(EncryptedText)
    passport_number: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    consent_to_tracking: Mapped[bool] = mapped_column(default=False)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="in_country")

    employer: Mapped[Organisation | None] = relationship(lazy="raise")
    project: Mapped[Project | None] = relationship(lazy="raise")
    site: Mapped[Site | None] = relationship(lazy="raise")


class Agreement(IdMixin, TimestampMixin, VersionMixin, Marked, Audited, Base):
    __tablename__ = "agreement"
    __policy_name__ = "agreement"

    title: Mapped[str] = mapped_column(String(300))
    title_zh: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(24))  # mou | agreement | exchange_of_notes | contract
    status: Mapped[str] = mapped_column(String(16))
    signed_on: Mapped[date | None] = mapped_column(Date)
    signatories: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")

    items: Mapped[list["AgreementItem"]] = relationship(
        back_populates="agreement",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="AgreementItem.position",
    )


class AgreementItem(IdMixin, Audited, Base):
    """A thing an agreement provides, e.g. six bulletproof vehicles."""

    __tablename__ = "agreement_item"

    agreement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agreement.id"))
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(300))
    asset_kind: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[int]

    agreement: Mapped[Agreement] = relationship(back_populates="items")
    deliveries: Mapped[list["Delivery"]] = relationship(
        back_populates="item", lazy="selectin", order_by="Delivery.delivered_on"
    )

    @property
    def delivered(self) -> int:
        return sum(d.quantity for d in self.deliveries)

    @property
    def handed_over(self) -> int:
        return sum(d.quantity for d in self.deliveries if d.status == "handed_over")

    @property
    def delivery_status(self) -> str:
        """pending → partly_delivered → delivered → handed_over (all of the quantity)."""
        if self.handed_over >= self.quantity:
            return "handed_over"
        if self.delivered >= self.quantity:
            return "delivered"
        return "partly_delivered" if self.delivered else "pending"


class Delivery(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    """A consignment of an agreement's item: delivered to an organisation, whose assets enter the
    registry as delivered, then formally handed over (the assets go into service)."""

    __tablename__ = "agreement_delivery"

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agreement_item.id"), index=True)
    quantity: Mapped[int]
    delivered_on: Mapped[date] = mapped_column(Date)
    recipient_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[str] = mapped_column(String(12), default="delivered")  # delivered | handed_over
    handed_over_on: Mapped[date | None] = mapped_column(Date)
    received_by: Mapped[str] = mapped_column(String(200), default="")  # who signed for it
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80))

    item: Mapped[AgreementItem] = relationship(back_populates="deliveries")
    assets: Mapped[list["Asset"]] = relationship(lazy="selectin", order_by="Asset.registration")


class Asset(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    __tablename__ = "asset"
    __policy_name__ = "asset"
    __scope_columns__ = {"own": "owner_org_id"}

    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    registration: Mapped[str | None] = mapped_column(String(40), unique=True)
    armour_rating: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(24))
    owner_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    agreement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agreement.id"))
    delivery_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agreement_delivery.id"), index=True)
    assigned_unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id"))
    notes: Mapped[str] = mapped_column(Text, default="")

    owner: Mapped[Organisation | None] = relationship(lazy="raise")
    agreement: Mapped[Agreement | None] = relationship(lazy="raise")
