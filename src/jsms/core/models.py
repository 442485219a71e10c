"""Tables of the core: parties and the organisation tree, users and tokens, policy, audit."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jsms.core.db import (
    Audited,
    Base,
    IdMixin,
    TimestampMixin,
    UTCDateTime,
    VersionMixin,
    utcnow,
)


class Party(IdMixin, TimestampMixin, Audited, Base):
    """One of the two states of the mechanism: the host (commands forces) or the partner."""

    __tablename__ = "party"

    code: Mapped[str] = mapped_column(String(16), unique=True)  # "host" | "partner"
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    name_ur: Mapped[str | None] = mapped_column(String(200))


class Organisation(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    """A node of a party's tree: ministry, agency, embassy, company, or a unit under them."""

    __tablename__ = "organisation"
    __policy_name__ = "organisation"
    __scope_columns__ = {"own": "id"}
    __table_args__ = (Index("ix_organisation_path", "path"),)

    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("party.id"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    name_ur: Mapped[str | None] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(40))
    # "/<party code>/<id>/<child id>/": a subtree is a prefix match, in any SQL database.
    path: Mapped[str] = mapped_column(String(1000))

    party: Mapped[Party] = relationship(lazy="joined")

    @property
    def party_code(self) -> str:
        return self.party.code


class User(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    __tablename__ = "user_account"
    __audit_redact__ = frozenset({"password_hash"})

    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    language: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Karachi")
    active: Mapped[bool] = mapped_column(default=True)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def party_code(self) -> str:
        return self.organisation.party.code


class SignInFailures(Base):
    """Failed sign-ins of an account in a row, and until when it is locked. Kept apart from the
    user: a change of the user ends its sessions, and a stranger's guesses must not do that."""

    __tablename__ = "sign_in_failures"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(IdMixin, TimestampMixin, Audited, Base):
    """A long-lived bearer token for a device or an integration; only its hash is stored."""

    __tablename__ = "api_token"
    __audit_redact__ = frozenset({"token_hash"})

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class PolicyVersion(IdMixin, TimestampMixin, Audited, Base):
    """One numbered version of the mechanism policy; active only once both parties approved it."""

    __tablename__ = "policy_version"

    number: Mapped[int] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(String(16))  # proposed | active | superseded | withdrawn
    summary: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    proposed_by: Mapped[str] = mapped_column(String(80))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    approvals: Mapped[list["PolicyApproval"]] = relationship(
        back_populates="policy_version", lazy="selectin", order_by="PolicyApproval.approved_at"
    )


class PolicyApproval(IdMixin, Audited, Base):
    __tablename__ = "policy_approval"
    __table_args__ = (UniqueConstraint("policy_version_id", "party"),)

    policy_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policy_version.id"))
    party: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(80))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    policy_version: Mapped[PolicyVersion] = relationship(back_populates="approvals")


class AuditRecord(Base):
    """One link of the hash chain. Written only by core/audit.py, never updated."""

    __tablename__ = "audit_record"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    party: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head, one row: updating it first serialises writers on every database."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))


class ReleaseRecord(Base):
    """One object that left the node for the other party, by which way and in which version: the
    release log. Every way out writes it (export, TAXII, push, e-mail, webhook, report)."""

    __tablename__ = "release_record"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    audience: Mapped[str] = mapped_column(String(16))  # the party it was released to
    channel: Mapped[str] = mapped_column(String(16))  # export | taxii | push | email | webhook | report
    actor: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[uuid.UUID] = mapped_column(index=True)
    stix_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[datetime] = mapped_column(UTCDateTime)  # the STIX `modified` that left
    tlp: Mapped[str] = mapped_column(String(16))
