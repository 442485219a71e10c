"""Welfare tables: the people an attack killed or hurt, and the compensation paid to their families.

Names, identity numbers and bank accounts are personal data: stored encrypted, never written into
the audit chain, and every read of them is itself audited (see service.personal_data_of).
"""

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jsms.core.crypto import EncryptedText
from jsms.core.db import Audited, Base, IdMixin, TimestampMixin, UTCDateTime, VersionMixin

Money = Numeric(14, 2)


class Casualty(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    """A person killed or injured in an incident: a protected person on the register or a named victim."""

    __tablename__ = "casualty"
    __policy_name__ = "casualty"
    __scope_columns__ = {"own": "employer_org_id", "nationals": "nationality"}
    __audit_redact__ = frozenset({"name", "identity_number", "notes"})
    PERSONAL_FIELDS = ("name", "identity_number", "notes")

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), index=True)
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("protected_person.id"))
    name: Mapped[str] = mapped_column(EncryptedText)
    identity_number: Mapped[str | None] = mapped_column(EncryptedText)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    nationality: Mapped[str] = mapped_column(String(2), index=True)
    employer_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    outcome: Mapped[str] = mapped_column(String(12))  # killed | injured
    occupation: Mapped[str] = mapped_column(String(120), default="")


class CompensationCase(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    """What a casualty's family is owed, approved in two steps and then paid.

    The nationality and employer are the casualty's, copied so that the policy's scopes can filter
    cases in SQL like casualties.
    """

    __tablename__ = "compensation_case"
    __policy_name__ = "compensation"
    __scope_columns__ = {"own": "employer_org_id", "nationals": "nationality"}

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    casualty_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("casualty.id"), index=True)
    nationality: Mapped[str] = mapped_column(String(2))
    employer_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    payer_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    basis: Mapped[str] = mapped_column(Text, default="")  # "per deceased, as agreed by the JWG"
    # draft → first_approved → approved → paid; rejected at either step
    status: Mapped[str] = mapped_column(String(16), default="draft")
    first_approved_by: Mapped[str | None] = mapped_column(String(80))
    first_approved_party: Mapped[str | None] = mapped_column(String(16))
    first_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    second_approved_by: Mapped[str | None] = mapped_column(String(80))
    second_approved_party: Mapped[str | None] = mapped_column(String(16))
    second_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_by: Mapped[str | None] = mapped_column(String(80))
    rejection_reason: Mapped[str] = mapped_column(Text, default="")

    casualty: Mapped[Casualty] = relationship(lazy="joined")
    beneficiaries: Mapped[list["Beneficiary"]] = relationship(
        back_populates="case", lazy="selectin", cascade="all, delete-orphan", order_by="Beneficiary.position"
    )
    payments: Mapped[list["Payment"]] = relationship(
        back_populates="case", lazy="selectin", cascade="all, delete-orphan", order_by="Payment.paid_on"
    )


class Beneficiary(IdMixin, Audited, Base):
    """A relative who receives a share of the compensation."""

    __tablename__ = "compensation_beneficiary"
    __audit_redact__ = frozenset({"name", "bank_account"})
    PERSONAL_FIELDS = ("name", "bank_account")

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compensation_case.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(EncryptedText)
    relationship_to_casualty: Mapped[str] = mapped_column(String(16))  # spouse | child | parent | …
    share_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    bank_account: Mapped[str | None] = mapped_column(EncryptedText)

    case: Mapped[CompensationCase] = relationship(back_populates="beneficiaries")


class Payment(IdMixin, TimestampMixin, Audited, Base):
    """A transfer towards a case: initiated, then completed or returned by the bank."""

    __tablename__ = "compensation_payment"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compensation_case.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default="initiated")  # initiated | completed | returned
    recorded_by: Mapped[str] = mapped_column(String(80))

    case: Mapped[CompensationCase] = relationship(back_populates="payments")
