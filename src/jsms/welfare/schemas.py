"""Welfare in and out: casualties (personal fields only in the detail, and only where allowed),
compensation cases with their beneficiaries, approvals and payments. Amounts travel as decimal
strings ("516000.00"), never as floats."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import pycountry
from pydantic import AfterValidator, Field, model_validator

from jsms.core.crud import ListParams
from jsms.core.schemas import NoNulls, ReadModel, Strict
from jsms.registry.schemas import CountryCode, Name

OUTCOMES = Literal["killed", "injured"]
RELATIONSHIPS = Literal["spouse", "child", "parent", "sibling", "other"]
CASE_STATES = Literal["draft", "first_approved", "approved", "paid", "rejected"]
PAYMENT_STATES = Literal["initiated", "completed", "returned"]
PAYMENT_OUTCOMES = Literal["completed", "returned"]


def _currency(code: str) -> str:
    code = code.upper()
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


CurrencyCode = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_currency)]
Amount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
Share = Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]


# ---- casualties ------------------------------------------------------------------------------


class CasualtyFields(Strict):
    identity_number: str | None = Field(None, max_length=40)
    notes: str | None = Field(None, max_length=5000)
    employer_org_id: uuid.UUID | None = None
    occupation: str = Field("", max_length=120)


class CasualtyIn(CasualtyFields):
    """A casualty of an incident. For a protected person on the register, name and nationality
    are taken from the register unless given."""

    incident_id: uuid.UUID
    person_id: uuid.UUID | None = None
    name: Name | None = None
    nationality: CountryCode | None = None
    outcome: OUTCOMES

    @model_validator(mode="after")
    def _someone(self):
        if self.person_id is None and (self.name is None or self.nationality is None):
            raise ValueError("name and nationality are needed unless person_id names a protected person")
        return self


class CasualtyUpdate(CasualtyFields, NoNulls):
    nullable = frozenset({"identity_number", "notes", "employer_org_id"})

    name: Name | None = None
    nationality: CountryCode | None = None
    outcome: OUTCOMES | None = None
    occupation: str | None = Field(None, max_length=120)


class CasualtyRead(ReadModel):
    id: uuid.UUID
    incident_id: uuid.UUID
    person_id: uuid.UUID | None
    nationality: str
    employer_org_id: uuid.UUID | None
    outcome: str
    occupation: str
    created_at: datetime
    version: int


class CasualtyDetail(CasualtyRead):
    """One casualty; the name and the other personal fields only for a role the policy lets see
    them. Built explicitly, so that decrypted fields cannot reach an answer by accident."""

    personal_data_withheld: bool = True
    name: str | None = None
    identity_number: str | None = None
    notes: str | None = None


class CasualtyParams(ListParams):
    incident_id: uuid.UUID | None = None
    outcome: OUTCOMES | None = None
    nationality: str | None = Field(None, pattern=r"^[A-Z]{2}$")


# ---- compensation ----------------------------------------------------------------------------


class BeneficiaryIn(Strict):
    name: Name
    relationship_to_casualty: RELATIONSHIPS
    share_percent: Share
    bank_account: str | None = Field(None, max_length=60)


class CaseFields(Strict):
    basis: str = Field("", max_length=2000)
    payer_org_id: uuid.UUID | None = None
    beneficiaries: list[BeneficiaryIn] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _shares_fit(self):
        if sum(b.share_percent for b in self.beneficiaries or []) > 100:
            raise ValueError("the beneficiaries' shares add up to more than 100 percent")
        return self


class CaseIn(CaseFields):
    casualty_id: uuid.UUID
    amount: Amount
    currency: CurrencyCode
    reference: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9/_.-]+$")


class CaseUpdate(CaseFields, NoNulls):
    """A change to a case not yet fully approved; a change of amount, currency or beneficiaries
    after the first approval withdraws that approval."""

    nullable = frozenset({"payer_org_id"})

    amount: Amount | None = None
    currency: CurrencyCode | None = None
    basis: str | None = Field(None, max_length=2000)
    beneficiaries: list[BeneficiaryIn] | None = Field(None, max_length=50)


class RejectIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class PaymentIn(Strict):
    amount: Amount
    paid_on: date
    reference: str = Field(min_length=1, max_length=80)
    status: Literal["initiated", "completed"] = "initiated"


class PaymentUpdate(Strict):
    status: PAYMENT_OUTCOMES


class PaymentRead(ReadModel):
    id: uuid.UUID
    amount: Decimal
    paid_on: date
    reference: str
    status: str
    recorded_by: str


class BeneficiaryRead(ReadModel):
    id: uuid.UUID
    relationship_to_casualty: str
    share_percent: Decimal
    name: str | None = None
    bank_account: str | None = None


class Approval(ReadModel):
    by: str
    party: str
    at: datetime


class CaseRead(ReadModel):
    id: uuid.UUID
    reference: str
    casualty_id: uuid.UUID
    incident_id: uuid.UUID
    nationality: str
    outcome: str
    employer_org_id: uuid.UUID | None
    payer_org_id: uuid.UUID | None
    amount: Decimal
    currency: str
    basis: str
    status: str
    approvals: list[Approval]
    rejected_by: str | None
    rejection_reason: str
    paid: Decimal
    outstanding: Decimal
    payments: list[PaymentRead]
    created_at: datetime
    version: int


class CaseDetail(CaseRead):
    """One case with its beneficiaries: their names and accounts only where the policy shows
    personal data (that read is audited)."""

    personal_data_withheld: bool = True
    beneficiaries: list[BeneficiaryRead] = Field(default_factory=list)


class CaseParams(ListParams):
    status: CASE_STATES | None = None
    casualty_id: uuid.UUID | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
