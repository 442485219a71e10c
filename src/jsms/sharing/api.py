"""HTTP API of sharing: this node's signed audit head (for the other node to keep), the release log,
and the signed policy statements the nodes exchange to govern the mechanism policy together."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from sqlalchemy import select

from jsms.core.config import get_settings
from jsms.core.errors import Forbidden
from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute, permits
from jsms.core.models import ReleaseRecord
from jsms.core.policy import require
from jsms.sharing import policy_exchange, signing
from jsms.sharing import schemas as s

router = APIRouter(prefix="/api/v1/sharing", route_class=UnitOfWorkRoute, tags=["sharing"])


@router.get("/signed-head", response_model=s.SignedHead)
@permits("sharing.read")
def signed_head(session: SessionDep, actor: ActorDep):
    """The head of this node's audit chain, signed now with the node's Ed25519 key."""
    require(session, actor, "sharing.read")
    return signing.signed_head(session)


@router.post("/signed-head", response_model=s.SignedHead)
@permits("sharing.receive", further="only from the other party's node")
def keep_signed_head(session: SessionDep, actor: ActorDep, head: Annotated[Any, Body()]):
    """Keep the other node's signed audit head, sent by its account on this node (the first key
    seen for a node is pinned; a head signed otherwise or altered is refused)."""
    require(session, actor, "sharing.receive")
    theirs = isinstance(head, dict) and head.get("party") == actor.party
    if actor.party == get_settings().node_party or not theirs:
        raise Forbidden("Only the other party's node sends its own signed head")
    signing.keep(session, head)
    return s.SignedHead(**head)


@router.get("/releases", response_model=list[s.ReleaseRead])
@permits("sharing.read")
def releases(session: SessionDep, actor: ActorDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100):
    """The release log, newest first: what left this node, for whom, by which way, in which version."""
    require(session, actor, "sharing.read")
    stmt = select(ReleaseRecord).order_by(ReleaseRecord.id.desc()).limit(limit)
    return [s.ReleaseRead.model_validate(r, from_attributes=True) for r in session.scalars(stmt)]


@router.get("/policy")
@permits("sharing.read")
def policy_statement(session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    """This node's policy versions (proposed, in force, withdrawn) with its own party's approvals,
    signed with the node key, for the other node to take in."""
    require(session, actor, "sharing.read")
    return policy_exchange.statement(session)


@router.post("/policy", response_model=s.PolicyTaken)
@permits("sharing.receive", further="only from the other party's node")
def take_policy_statement(session: SessionDep, actor: ActorDep, statement: Annotated[Any, Body()]):
    """Take in the other node's signed policy statement (sent by its account on this node)."""
    require(session, actor, "sharing.receive")
    if actor.party == get_settings().node_party:
        raise Forbidden("Only the other party's node sends its policy statement")
    taken = policy_exchange.take_statement(session, statement, actor.party)
    return s.PolicyTaken.model_validate(taken, from_attributes=True)
