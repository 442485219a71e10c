"""Pydantic models of the core's API: tokens, users, policy, audit, pagination."""

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jsms.core.policy import PolicyDocument

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# Deeper than any list goes, and within every database's integers.
MAX_OFFSET = 10_000_000


class Strict(BaseModel):
    """Input models refuse unknown fields, so a typo is an error and not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoNulls(BaseModel):
    """Update models: a field sent as null must be one that may be empty."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_nulls(self):
        for name in sorted(self.model_fields_set):
            if getattr(self, name) is None and name not in self.nullable:
                raise ValueError(f"{name} may not be null")
        return self


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(BaseModel):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def page_params(
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=80, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    display_name: str = Field(min_length=1, max_length=200)
    role: str
    organisation_id: uuid.UUID
    password: str = Field(min_length=8, max_length=200)
    language: str = "en"
    timezone: str = "Asia/Karachi"


class UserRead(ReadModel):
    id: uuid.UUID
    username: str
    display_name: str
    role: str
    organisation_id: uuid.UUID
    party: str = Field(validation_alias="party_code")
    language: str
    timezone: str
    active: bool


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    expires_at: datetime | None = None
    user_id: uuid.UUID | None = Field(None, description="Issue for another user (administrators)")


class ApiTokenRead(ReadModel):
    id: uuid.UUID
    name: str
    prefix: str
    user_id: uuid.UUID
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiTokenIssued(ApiTokenRead):
    token: str = Field(description="The secret; shown once, never again")


class PolicyApprovalRead(ReadModel):
    party: str
    username: str
    approved_at: datetime


class PolicyVersionRead(ReadModel):
    id: uuid.UUID
    number: int
    status: str
    summary: str
    proposed_by: str
    created_at: datetime
    activated_at: datetime | None
    approvals: list[PolicyApprovalRead]
    document: dict[str, Any]


class PolicyProposal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(min_length=1, max_length=2000)
    document: PolicyDocument


class AuditRecordRead(ReadModel):
    seq: int
    at: datetime
    actor: str
    party: str
    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any]
    digest: str
    prev_hash: str
    hash: str


class ChainReportRead(BaseModel):
    intact: bool
    records: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    reason: str


def with_personal_data(detail: type[M], public: BaseModel, revealed: dict[str, Any] | None) -> M:
    """A detail answer: the public fields, and the personal ones only where the policy revealed
    them (`revealed` None: withheld). Built explicitly so that decrypted values never reach an
    answer by accident."""
    if revealed is None:
        return detail(**public.model_dump())
    return detail(**public.model_dump(), **revealed, personal_data_withheld=False)
