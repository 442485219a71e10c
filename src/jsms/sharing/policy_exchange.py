"""Policy governance across nodes: a mechanism policy version proposed on one party's node travels
to the other, is approved there by that party, and comes into force on both.

Each node publishes a statement signed with its node key: the policy versions it holds that are
proposed, in force or withdrawn, each with the approvals of its own party. A node takes in the
other's statement only when the signature verifies with the key pinned for that node (kept with
its audit head, `jsms audit countersign`), and believes it only about the other party: a node
speaks for its own party's approvals, never for the other's. A version the other node proposed is
kept under the same id and number; the same document must travel under the same id.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core import governance
from jsms.core.config import get_settings
from jsms.core.db import utcnow
from jsms.core.errors import Invalid
from jsms.core.models import PolicyVersion
from jsms.core.policy import PolicyDocument
from jsms.sharing import signing

SHARED_STATES = ("proposed", "active", "withdrawn")


def statement(session: Session) -> dict[str, Any]:
    """This node's signed policy statement (see the module's docstring)."""
    party = get_settings().node_party
    versions = session.scalars(
        select(PolicyVersion).where(PolicyVersion.status.in_(SHARED_STATES)).order_by(PolicyVersion.number)
    )
    return signing.sign(
        {
            "at": utcnow().isoformat(),
            "versions": [
                {
                    "id": str(v.id),
                    "number": v.number,
                    "status": v.status,
                    "summary": v.summary,
                    "document": v.document,
                    "proposed_by": v.proposed_by,
                    "approvals": [
                        {"party": a.party, "username": a.username, "at": a.approved_at.isoformat()}
                        for a in v.approvals
                        if a.party == party
                    ],
                }
                for v in versions
            ],
        }
    )


@dataclass
class Taken:
    """What taking in the other node's statement did (version numbers)."""

    adopted: list[int] = field(default_factory=list)
    approved: list[int] = field(default_factory=list)
    activated: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{len(self.adopted)} proposed version(s) taken in",
            f"{len(self.approved)} approval(s)",
            f"{len(self.activated)} now in force",
            f"{len(self.withdrawn)} withdrawn",
        ]
        return "policy: " + ", ".join(parts) + "".join(f"; {c}" for c in self.conflicts)


def take_statement(session: Session, received: Any, from_party: str) -> Taken:
    """Take in the other node's policy statement (see the module's docstring)."""
    if not isinstance(received, dict) or not isinstance(received.get("versions"), list):
        raise Invalid('A policy statement is a signed JSON object with a list "versions"')
    node = received.get("node_id")
    if node == get_settings().node_id:
        raise Invalid("That is this node's own statement")
    pinned = signing.pinned_key(session, str(node))
    if pinned is None:
        raise Invalid(
            f"No key is on record for node {node}: keep its signed audit head first (jsms audit countersign)"
        )
    checked = signing.verify(received, pinned)
    if checked.get("party") != from_party:
        raise Invalid(f"The statement is from the {checked.get('party')} node, not the {from_party} node")
    taken = Taken()
    for item in checked["versions"]:
        _take_version(session, item, from_party, taken)
    return taken


def _take_version(session: Session, item: dict[str, Any], party: str, taken: Taken) -> None:
    try:
        version_id = uuid.UUID(item["id"])
        number = int(item["number"])
        document = PolicyDocument.model_validate(item["document"])
    except (KeyError, TypeError, ValueError, ValidationError) as error:
        raise Invalid(f"A policy version in the statement is malformed: {error}") from None
    version = session.get(PolicyVersion, version_id)
    if version is None:
        same_number = session.scalar(select(PolicyVersion).where(PolicyVersion.number == number))
        if same_number is not None:
            if same_number.document != document.model_dump(mode="json"):
                taken.conflicts.append(
                    f"both nodes hold a different version {number}: withdraw one and propose again"
                )
            return  # the same text under another id: each node installed it (version 1)
        if item.get("status") == "withdrawn":
            return
        version = governance.adopt_proposal(
            session,
            version_id,
            number,
            str(item.get("summary", "")),
            document,
            f"{item.get('proposed_by', '?')} ({party} node)"[:80],
        )
        taken.adopted.append(number)
    elif version.document != document.model_dump(mode="json"):
        raise Invalid(f"Policy version {number} has a different text on the {party} node")
    if item.get("status") == "withdrawn" and governance.relay_withdrawal(session, version):
        taken.withdrawn.append(number)
        return
    for approval in item.get("approvals", []):
        if approval.get("party") != party:
            continue  # a node speaks only for its own party
        at = datetime.fromisoformat(approval["at"])
        if governance.relay_approval(session, version, party, str(approval["username"]), at):
            taken.approved.append(number)
            if version.status == "active":
                taken.activated.append(number)
