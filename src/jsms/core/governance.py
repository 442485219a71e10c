"""Mechanism policy versions: propose, approve by each party, activate; the history is kept."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.db import utcnow
from jsms.core.errors import Conflict, NotFound
from jsms.core.models import PolicyApproval, PolicyVersion
from jsms.core.policy import PARTIES, PolicyDocument, forget_policy, require


def list_versions(session: Session, actor: Actor) -> list[PolicyVersion]:
    require(session, actor, "policy.read")
    return list(session.scalars(select(PolicyVersion).order_by(PolicyVersion.number.desc())))


def get_version(session: Session, actor: Actor, version_id: uuid.UUID) -> PolicyVersion:
    require(session, actor, "policy.read")
    version = session.get(PolicyVersion, version_id)
    if version is None:
        raise NotFound(f"No policy version with id {version_id}")
    return version


def active_version(session: Session, actor: Actor) -> PolicyVersion:
    require(session, actor, "policy.read")
    version = session.scalar(select(PolicyVersion).where(PolicyVersion.status == "active"))
    if version is None:
        raise NotFound("No mechanism policy is in force; run `jsms db upgrade`")
    return version


def propose(session: Session, actor: Actor, document: PolicyDocument, summary: str) -> PolicyVersion:
    """Record a new version; it takes effect only when each party has approved it."""
    require(session, actor, "policy.propose")
    number = (session.scalar(select(func.max(PolicyVersion.number))) or 0) + 1
    version = PolicyVersion(
        number=number,
        status="proposed",
        summary=summary,
        document=document.model_dump(mode="json"),
        proposed_by=actor.username,
    )
    session.add(version)
    session.flush()
    return version


def approve(session: Session, actor: Actor, version_id: uuid.UUID) -> PolicyVersion:
    """Approve a proposed version for the actor's party; activate it once both parties have."""
    require(session, actor, "policy.approve")
    version = get_version(session, actor, version_id)
    if version.status != "proposed":
        raise Conflict(f"Policy version {version.number} is {version.status}, not awaiting approval")
    if any(a.party == actor.party for a in version.approvals):
        raise Conflict(f"The {actor.party} party has already approved version {version.number}")
    _add_approval(session, version, actor.party, actor.username)
    return version


def _add_approval(
    session: Session, version: PolicyVersion, party: str, username: str, at: datetime | None = None
) -> None:
    session.add(
        PolicyApproval(policy_version=version, party=party, username=username, approved_at=at or utcnow())
    )
    session.flush()
    session.refresh(version)
    if {a.party for a in version.approvals} >= set(PARTIES):
        _activate(session, version)


# ---- across nodes: what the other party's node says, once its signature is verified ------------


def adopt_proposal(
    session: Session,
    version_id: uuid.UUID,
    number: int,
    summary: str,
    document: PolicyDocument,
    proposed_by: str,
) -> PolicyVersion:
    """Keep a version proposed on the other party's node under its own id and number."""
    version = PolicyVersion(
        id=version_id,
        number=number,
        status="proposed",
        summary=summary,
        document=document.model_dump(mode="json"),
        proposed_by=proposed_by,
    )
    session.add(version)
    session.flush()
    return version


def relay_approval(session: Session, version: PolicyVersion, party: str, username: str, at: datetime) -> bool:
    """Record the other party's approval given on its own node; the version comes into force here
    once both parties have approved. False when there was nothing to record."""
    if version.status != "proposed" or any(a.party == party for a in version.approvals):
        return False
    _add_approval(session, version, party, f"{username} ({party} node)"[:80], at)
    return True


def relay_withdrawal(session: Session, version: PolicyVersion) -> bool:
    if version.status != "proposed":
        return False
    version.status = "withdrawn"
    session.flush()
    return True


def withdraw(session: Session, actor: Actor, version_id: uuid.UUID) -> PolicyVersion:
    require(session, actor, "policy.propose")
    version = get_version(session, actor, version_id)
    if version.status != "proposed":
        raise Conflict(
            f"Policy version {version.number} is {version.status}; only a proposal can be withdrawn"
        )
    version.status = "withdrawn"
    session.flush()
    return version


def _activate(session: Session, version: PolicyVersion) -> None:
    for current in session.scalars(select(PolicyVersion).where(PolicyVersion.status == "active")):
        current.status = "superseded"
    session.flush()
    version.status = "active"
    version.activated_at = utcnow()
    session.flush()
    forget_policy(session)


def install_default_policy(session: Session) -> PolicyVersion | None:
    """Put version 1 (the agreed default text) in force on a new node; no-op once any exists."""
    if session.scalar(select(func.count()).select_from(PolicyVersion)):
        return None
    version = PolicyVersion(
        number=1,
        status="proposed",
        summary="Default mechanism policy as agreed at installation",
        document=PolicyDocument().model_dump(mode="json"),
        proposed_by="system:install",
    )
    session.add(version)
    for party in PARTIES:
        session.add(PolicyApproval(policy_version=version, party=party, username="system:install"))
    session.flush()
    _activate(session, version)
    return version
