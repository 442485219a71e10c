"""Tamper-evident audit trail: every write (and every read of personal data) is a link of a hash chain.

A record's hash covers its own fields and the previous record's hash, so altering,
deleting or reordering any record breaks every hash after it. Records are written
in the same transaction as the change they describe (an `after_flush` hook), so a
rolled-back change leaves no record and a committed one always has its record.
"""

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session

from jsms.core.crypto import keyed_digest
from jsms.core.db import Audited, actor_of, utcnow
from jsms.core.models import AuditHead, AuditRecord

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"


class MissingActor(RuntimeError):
    """A change reached the database with no actor to answer for it."""


@dataclass(frozen=True)
class AuditEntry:
    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any]
    digest: str


def _plain(value: Any) -> Any:
    """Turn a column value into JSON-safe data, the same way every time."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical_json(data: Any) -> str:
    return _dumps(_plain(data))


def _dumps(plain: Any) -> str:
    """The canonical text of data that is plain already (what `_plain` gives)."""
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _entry_for(obj: Audited, action: str) -> AuditEntry:
    state = inspect(obj)
    redact = type(obj).__audit_redact__
    full: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    for column_attr in state.mapper.column_attrs:
        key = column_attr.key
        if action == "update":
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            value: Any = [_plain(old), _plain(new)]
        else:
            value = _plain(getattr(obj, key))
        if key in redact:
            # A keyed digest: the chain still proves the value changed, the record does not reveal it.
            value = keyed_digest(_dumps(value))
            shown[key] = REDACTED
        else:
            shown[key] = value
        full[key] = value
    object_type = state.mapper.local_table.name
    return AuditEntry(
        action=f"{object_type}.{action}",
        object_type=object_type,
        object_id=str(_plain(state.identity[0] if state.identity else getattr(obj, "id", ""))),
        changes=shown,
        digest=sha256_hex(_dumps(full)),
    )


def record_hash(fields: dict[str, Any]) -> str:
    """Hash of one record: its content and the previous record's hash."""
    keys = (
        "seq",
        "at",
        "actor",
        "party",
        "action",
        "object_type",
        "object_id",
        "changes",
        "digest",
        "prev_hash",
    )
    return sha256_hex(_dumps({k: fields[k] if k != "at" else _plain(fields[k]) for k in keys}))


def _append(session: Session, entries: Iterable[AuditEntry]) -> None:
    entries = list(entries)
    if not entries:
        return
    actor = actor_of(session)
    if actor is None:
        raise MissingActor("a change was flushed without an actor; open sessions with new_session(actor)")
    conn = session.connection()
    # Advancing the head first takes the write lock, so concurrent writers queue here.
    head_seq, prev_hash = conn.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + len(entries))
        .returning(AuditHead.seq, AuditHead.hash)
    ).one()
    seq = head_seq - len(entries)
    now = utcnow()
    rows = []
    for entry in entries:
        seq += 1
        fields = {
            "seq": seq,
            "at": now,
            "actor": actor.username,
            "party": actor.party,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "changes": entry.changes,  # plain already
            "digest": entry.digest,
            "prev_hash": prev_hash,
        }
        fields["hash"] = prev_hash = record_hash(fields)
        rows.append(fields)
    conn.execute(insert(AuditRecord), rows)
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=prev_hash))


@event.listens_for(Session, "after_flush")
def _audit_flush(session: Session, _flush_context) -> None:
    entries = [_entry_for(o, "create") for o in session.new if isinstance(o, Audited)]
    entries += [
        _entry_for(o, "update")
        for o in session.dirty
        if isinstance(o, Audited) and session.is_modified(o, include_collections=False)
    ]
    entries += [_entry_for(o, "delete") for o in session.deleted if isinstance(o, Audited)]
    _append(session, entries)


def record_access(session: Session, action: str, object_type: str, object_id: Any, fields: list[str]) -> None:
    """Append a record for a read of personal data (which fields, of what, by whom)."""
    record_event(session, action, object_type, object_id, {"fields": sorted(fields)})


def record_listing(session: Session, action: str, object_type: str, object_ids: list[Any]) -> None:
    """Append one record per object a list showed, so that a search by object finds every read."""
    changes = {"fields": []}
    digest = sha256_hex(canonical_json(changes))
    _append(session, [AuditEntry(action, object_type, str(_plain(i)), changes, digest) for i in object_ids])


def record_event(
    session: Session, action: str, object_type: str, object_id: Any, changes: dict[str, Any]
) -> None:
    """Append a record of something done outside the stored objects (a road network installed)."""
    _append(
        session,
        [
            AuditEntry(
                action,
                object_type,
                str(_plain(object_id)),
                _plain(changes),
                sha256_hex(canonical_json(changes)),
            )
        ],
    )


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    records: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str = ""


def _as_fields(record: AuditRecord) -> dict[str, Any]:
    return {
        "seq": record.seq,
        "at": record.at,
        "actor": record.actor,
        "party": record.party,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "changes": record.changes,
        "digest": record.digest,
        "prev_hash": record.prev_hash,
    }


def verify_chain(session: Session) -> ChainReport:
    """Recompute the chain from the first record; report the first record that does not fit."""
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0

    def broken(seq: int, reason: str) -> ChainReport:
        return ChainReport(False, count, head_seq, head_hash, seq, reason)

    rows = session.execute(select(AuditRecord).order_by(AuditRecord.seq).execution_options(yield_per=2000))
    for record in rows.scalars():
        if record.seq != expected_seq:
            return broken(expected_seq, f"record {expected_seq} is missing (next is {record.seq})")
        if record.prev_hash != prev_hash:
            return broken(record.seq, "its previous-hash does not match the record before it")
        if record_hash(_as_fields(record)) != record.hash:
            return broken(record.seq, "its content does not match its hash (altered)")
        prev_hash = record.hash
        expected_seq += 1
        count += 1
    if count != head_seq or prev_hash != head_hash:
        return broken(count + 1, f"the head says {head_seq} records but the chain holds {count}")
    return ChainReport(True, count, head_seq, head_hash)
