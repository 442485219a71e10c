"""The audit hash chain: intact after real work; alteration, deletion and reordering are found."""

import pytest
from sqlalchemy import select, text

from jsms.core.actor import Actor
from jsms.core.audit import MissingActor, verify_chain
from jsms.core.db import new_session
from jsms.core.models import AuditRecord, Party


@pytest.fixture
def session(connection):
    session = new_session(Actor.system("test"))
    yield session
    session.close()


def test_chain_of_the_demo_node_is_intact(session):
    report = verify_chain(session)
    assert report.intact and report.records > 600 and report.records == report.head_seq


def test_every_write_appends_a_linked_record(session):
    head_before = verify_chain(session).head_hash
    party = session.scalar(select(Party).where(Party.code == "host"))
    party.name_ur = "پاکستان"
    session.flush()
    record = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert record.action == "party.update" and record.prev_hash == head_before
    assert record.changes == {"name_ur": ["اسلامی جمہوریہ پاکستان", "پاکستان"]}
    assert verify_chain(session).intact


def test_a_change_without_an_actor_fails_loudly(connection):
    session = new_session(actor=None)
    party = session.scalar(select(Party).where(Party.code == "host"))
    party.name = "Changed"
    with pytest.raises(MissingActor):
        session.flush()
    session.close()


def last_seqs(session, n=2) -> list[int]:
    return list(session.scalars(select(AuditRecord.seq).order_by(AuditRecord.seq.desc()).limit(n)))


def test_an_altered_record_is_named(session):
    target = 37
    session.execute(text("UPDATE audit_record SET actor = 'someone.else' WHERE seq = :s"), {"s": target})
    report = verify_chain(session)
    assert not report.intact and report.first_bad_seq == target and "altered" in report.reason


def test_an_altered_change_digest_is_named(session):
    session.execute(text("UPDATE audit_record SET digest = :d WHERE seq = 5"), {"d": "0" * 64})
    assert verify_chain(session).first_bad_seq == 5


def test_a_deleted_record_is_named(session):
    session.execute(text("DELETE FROM audit_record WHERE seq = 100"))
    report = verify_chain(session)
    assert not report.intact and report.first_bad_seq == 100 and "missing" in report.reason


def test_a_deleted_last_record_is_found_through_the_head(session):
    newest = last_seqs(session, 1)[0]
    session.execute(text("DELETE FROM audit_record WHERE seq = :s"), {"s": newest})
    report = verify_chain(session)
    assert not report.intact and report.first_bad_seq == newest


def test_reordered_records_are_found(session):
    session.execute(text("UPDATE audit_record SET seq = -1 WHERE seq = 10"))
    session.execute(text("UPDATE audit_record SET seq = 10 WHERE seq = 11"))
    session.execute(text("UPDATE audit_record SET seq = 11 WHERE seq = -1"))
    report = verify_chain(session)
    assert not report.intact and report.first_bad_seq == 10
