"""What the sharing API reads and answers."""

from datetime import datetime

from pydantic import BaseModel


class SignedHead(BaseModel):
    """A node's audit head, signed with its Ed25519 key (base64 public key and signature)."""

    node_id: str
    party: str
    seq: int
    hash: str
    at: str
    public_key: str
    signature: str


class ReleaseRead(BaseModel):
    at: datetime
    audience: str
    channel: str
    actor: str
    object_type: str
    stix_id: str
    version: datetime
    tlp: str


class PolicyTaken(BaseModel):
    """What taking in the other node's policy statement did (version numbers)."""

    adopted: list[int]
    approved: list[int]
    activated: list[int]
    withdrawn: list[int]
    conflicts: list[str]
