"""HTTP API of the core: sign-in, users and tokens, the mechanism policy, the audit trail, health."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import func, select, text

from jsms.core import audit, governance, http, users
from jsms.core.auth import issue_access_token
from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute, permits, public, signed_in
from jsms.core.models import ApiToken, AuditRecord
from jsms.core.policy import require
from jsms.core.schemas import (
    ApiTokenCreate,
    ApiTokenIssued,
    ApiTokenRead,
    AuditRecordRead,
    ChainReportRead,
    Page,
    PageParams,
    PolicyProposal,
    PolicyVersionRead,
    TokenOut,
    UserCreate,
    UserRead,
    page_params,
)

router = APIRouter(prefix="/api/v1", route_class=UnitOfWorkRoute)


@router.get("/health", tags=["system"])
@public("a health check for load balancers; it says nothing but ok")
def health(session: SessionDep) -> dict[str, str]:
    session.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.post("/auth/token", response_model=TokenOut, tags=["auth"])
@public("signing in: the password is the credential (rate-limited, locks out)")
def sign_in(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep):
    """OAuth2 password flow: exchange a username and password for a short-lived bearer token.
    Attempts are rate-limited per client address; repeated failures lock the account."""
    http.admit_sign_in(request)
    user = http.sign_in(session, form.username, form.password)
    token, lifetime = issue_access_token(user)
    return TokenOut(access_token=token, expires_in=lifetime)


@router.get("/users/me", response_model=UserRead, tags=["auth"])
@signed_in
def me(session: SessionDep, actor: ActorDep):
    return users.get_user(session, actor, actor.user_id)


@router.get("/users", response_model=list[UserRead], tags=["auth"])
@permits("user.read")
def list_users(session: SessionDep, actor: ActorDep):
    return users.list_users(session, actor)


@router.post("/users", response_model=UserRead, status_code=201, tags=["auth"])
@permits("user.write")
def create_user(data: UserCreate, session: SessionDep, actor: ActorDep):
    return users.create_user(session, actor, **data.model_dump())


@router.post("/users/{user_id}/unlock", response_model=UserRead, tags=["auth"])
@permits("user.write")
def unlock_user(user_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """Lift the lock-out of an account after repeated failed sign-ins."""
    user = users.get_user(session, actor, user_id)
    users.unlock_user(session, actor, user)
    return user


@router.post("/tokens", response_model=ApiTokenIssued, status_code=201, tags=["auth"])
@signed_in
def create_token(data: ApiTokenCreate, session: SessionDep, actor: ActorDep):
    """Issue a long-lived API token (for a device or integration); the secret is shown once."""
    owner = users.get_user(session, actor, data.user_id or actor.user_id)
    token, secret = users.issue_api_token(session, actor, owner, data.name, data.expires_at)
    return ApiTokenIssued.model_validate({**ApiTokenRead.model_validate(token).model_dump(), "token": secret})


@router.get("/tokens", response_model=list[ApiTokenRead], tags=["auth"])
@signed_in
def list_own_tokens(session: SessionDep, actor: ActorDep):
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.created_at)
        )
    )


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response, tags=["auth"])
@signed_in
def revoke_token(token_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    users.revoke_api_token(session, actor, token_id)


@router.get("/policy", response_model=PolicyVersionRead, tags=["policy"])
@permits("policy.read")
def active_policy(session: SessionDep, actor: ActorDep):
    """The mechanism policy in force."""
    return governance.active_version(session, actor)


@router.get("/policy/versions", response_model=list[PolicyVersionRead], tags=["policy"])
@permits("policy.read")
def policy_history(session: SessionDep, actor: ActorDep):
    return governance.list_versions(session, actor)


@router.post("/policy/versions", response_model=PolicyVersionRead, status_code=201, tags=["policy"])
@permits("policy.propose")
def propose_policy(data: PolicyProposal, session: SessionDep, actor: ActorDep):
    """Propose a new version; it takes effect only after an approval from each party."""
    return governance.propose(session, actor, data.document, data.summary)


@router.get("/policy/versions/{version_id}", response_model=PolicyVersionRead, tags=["policy"])
@permits("policy.read")
def get_policy_version(version_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    return governance.get_version(session, actor, version_id)


@router.post("/policy/versions/{version_id}/approve", response_model=PolicyVersionRead, tags=["policy"])
@permits("policy.approve")
def approve_policy(version_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    return governance.approve(session, actor, version_id)


@router.post("/policy/versions/{version_id}/withdraw", response_model=PolicyVersionRead, tags=["policy"])
@permits("policy.propose")
def withdraw_policy(version_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    return governance.withdraw(session, actor, version_id)


@router.get("/audit/records", response_model=Page[AuditRecordRead], tags=["audit"])
@permits("audit.read")
def audit_records(
    session: SessionDep,
    actor: ActorDep,
    page: Annotated[PageParams, Depends(page_params)],
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
):
    require(session, actor, "audit.read")
    stmt = select(AuditRecord)
    if object_id:
        stmt = stmt.where(AuditRecord.object_id == object_id)
    if action:
        stmt = stmt.where(AuditRecord.action == action)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(AuditRecord.seq.desc()).limit(page.limit).offset(page.offset))
    return {"items": list(rows), "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/audit/verify", response_model=ChainReportRead, tags=["audit"])
@permits("audit.read")
def audit_verify(session: SessionDep, actor: ActorDep):
    """Recompute the whole chain and report whether it is intact."""
    require(session, actor, "audit.read")
    return audit.verify_chain(session).__dict__
