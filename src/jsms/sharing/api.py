"""HTTP API of sharing: this node's signed audit head (for the other node to keep) and the release log."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute
from jsms.core.policy import require
from jsms.sharing import schemas as s
from jsms.sharing import signing
from jsms.sharing.models import ReleaseRecord

router = APIRouter(prefix="/api/v1/sharing", route_class=UnitOfWorkRoute, tags=["sharing"])


@router.get("/signed-head", response_model=s.SignedHead)
def signed_head(session: SessionDep, actor: ActorDep):
    """The head of this node's audit chain, signed now with the node's Ed25519 key."""
    require(session, actor, "sharing.read")
    return signing.signed_head(session)


@router.get("/releases", response_model=list[s.ReleaseRead])
def releases(session: SessionDep, actor: ActorDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100):
    """The release log, newest first: what left this node, for whom, by which way, in which version."""
    require(session, actor, "sharing.read")
    stmt = select(ReleaseRecord).order_by(ReleaseRecord.id.desc()).limit(limit)
    return [s.ReleaseRead.model_validate(r, from_attributes=True) for r in session.scalars(stmt)]
