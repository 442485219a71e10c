"""Audit countersignature: each node signs the head of its audit chain with its Ed25519 key, and
keeps the other node's signed heads, so either party can prove what the other held at a time.

A signed head says: node, party, sequence number and hash of the last audit record, when it was
signed, and the node's public key; the signature covers all of it (canonical JSON). The first key
seen for a node is kept (pinned): a head signed with another key is refused, as is any head whose
content was changed after signing.
"""

import base64
import json
import os
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.config import get_settings
from jsms.core.db import utcnow
from jsms.core.errors import Invalid
from jsms.core.models import AuditHead
from jsms.sharing.models import PeerHead

KEY_FILE = "node-signing.key"
SIGNED_FIELDS = ("node_id", "party", "seq", "hash", "at", "public_key")


def node_key() -> Ed25519PrivateKey:
    """This node's signing key, made on first use and kept in the data directory (owner-only)."""
    path = get_settings().data_dir / KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise RuntimeError(f"{path} does not hold an Ed25519 key")
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return key


def _public_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _message(content: dict[str, Any]) -> bytes:
    """What a signature covers: every field but the signature, as canonical JSON."""
    signed = {k: v for k, v in content.items() if k != "signature"}
    return json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(content: dict[str, Any]) -> dict[str, Any]:
    """`content` stamped with this node's id, party and public key, and signed with its key."""
    settings = get_settings()
    key = node_key()
    stamped = {
        **content,
        "node_id": settings.node_id,
        "party": settings.node_party,
        "public_key": _public_text(key.public_key()),
    }
    return stamped | {"signature": base64.b64encode(key.sign(_message(stamped))).decode()}


def verify(statement: dict[str, Any], pinned: str | None) -> dict[str, Any]:
    """The statement if its signature verifies with its key — the pinned key, when one is on record
    for that node; Invalid saying why not."""
    node = statement.get("node_id")
    if pinned is not None and statement.get("public_key") != pinned:
        raise Invalid(f"{node} signed with a key other than the one on record")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(statement["public_key"]))
        key.verify(base64.b64decode(statement["signature"]), _message(statement))
    except (InvalidSignature, ValueError, TypeError, KeyError):
        raise Invalid(f"The signature of {node}'s statement does not verify: it was altered") from None
    return statement


def signed_head(session: Session) -> dict[str, Any]:
    """This node's audit head, signed now."""
    head = session.get(AuditHead, 1)
    return sign(
        {"seq": head.seq if head else 0, "hash": head.hash if head else "", "at": utcnow().isoformat()}
    )


def check(head: Any, pinned_key: str | None = None) -> dict[str, Any]:
    """The head if it is well formed and its signature verifies (with the pinned key, when one is
    known for that node); Invalid saying why not."""
    if not isinstance(head, dict) or set(head) != {*SIGNED_FIELDS, "signature"}:
        raise Invalid(f"A signed head has the fields {', '.join(SIGNED_FIELDS)} and signature")
    return verify(head, pinned_key)


def pinned_key(session: Session, node_id: str) -> str | None:
    return session.scalar(
        select(PeerHead.public_key).where(PeerHead.node_id == node_id).order_by(PeerHead.id).limit(1)
    )


def keep(session: Session, head: Any) -> PeerHead:
    """Check the other node's signed head and keep it (its first key is pinned)."""
    if isinstance(head, dict) and head.get("node_id") == get_settings().node_id:
        raise Invalid("That is this node's own head; keep the other node's")
    checked = check(head, pinned_key(session, head.get("node_id", "")) if isinstance(head, dict) else None)
    record = PeerHead(
        node_id=checked["node_id"],
        party=checked["party"],
        seq=int(checked["seq"]),
        hash=checked["hash"],
        signed_at=datetime.fromisoformat(checked["at"]),
        public_key=checked["public_key"],
        signature=checked["signature"],
        received_at=utcnow(),
    )
    session.add(record)
    return record
