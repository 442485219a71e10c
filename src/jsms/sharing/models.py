"""What the node holds of what other nodes shared: each received STIX object linked to its origin
and to the local record it became, with the version (`modified`) last taken in."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jsms.core.db import Base, UTCDateTime


class ReceivedObject(Base):
    """A STIX object received from another node: re-receiving the same version adds nothing, a
    later version updates the local record."""

    __tablename__ = "received_object"

    stix_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    object_type: Mapped[str] = mapped_column(String(40))
    local_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    origin: Mapped[str] = mapped_column(String(100))  # the sending node's identity id
    modified: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    name: Mapped[str | None] = mapped_column(String(300))  # of a report kept only as received


class SyncState(Base):
    """The exchange with another node. Pulling: objects added there after `cursor` are new.
    Pushing: this node's records changed after `pushed_through` have not reached it yet. Each mark
    moves only once what it covers is committed (pulled) or acknowledged (pushed), so a failed sync
    loses nothing."""

    __tablename__ = "sync_state"

    peer: Mapped[str] = mapped_column(String(300), primary_key=True)  # the other node's TAXII URL
    cursor: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    pushed_through: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PeerHead(Base):
    """A signed audit head received from the other node (the first key seen for a node is pinned)."""

    __tablename__ = "peer_head"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    node_id: Mapped[str] = mapped_column(String(64), index=True)
    party: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaxiiStatus(Base):
    """The outcome of one write to a TAXII collection of this node (its status resource)."""

    __tablename__ = "taxii_status"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    collection: Mapped[str] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(Integer)
    successes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # {id, version, message}
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
