"""Backup and restore, on SQLite and on a real PostgreSQL: a restored database equals the original."""

import json
import sqlite3
import tarfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from jsms.core import backup
from jsms.core.audit import verify_chain
from jsms.core.config import use_settings
from jsms.core.db import engine_for
from jsms.registry.models import ProtectedPerson


@pytest.fixture
def empty_database(node, tmp_path):
    """An empty database of the node's kind, and its engine."""
    if node.is_sqlite:
        engine = create_engine(f"sqlite:///{tmp_path / 'restored' / 'jsms.db'}")
        yield engine
        engine.dispose()
        return
    name = f"jsms_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(node.database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(make_url(node.database_url).set(database=name))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def archive(node, tmp_path) -> Path:
    use_settings(node)
    target = tmp_path / "backup.tar.gz"
    backup.backup(engine_for(node.database_url), target)
    return target


def digests(engine):
    with engine.connect() as connection:
        return backup.table_digests(connection)


def test_a_restored_database_equals_the_original(node, archive, empty_database):
    manifest = backup.read_manifest(archive)
    assert manifest["engine"] == make_url(node.database_url).get_backend_name()
    assert manifest["tables"]["protected_person"]["rows"] == 500

    restored = backup.restore(empty_database, archive)
    assert restored.mismatched == [] and restored.tables == len(manifest["tables"]) > 60

    # Compared independently of the manifest: every table, row for row.
    original = digests(engine_for(node.database_url))
    assert digests(empty_database) == original
    with Session(empty_database) as session:
        assert verify_chain(session).intact
        person = session.scalars(select(ProtectedPerson).order_by(ProtectedPerson.full_name)).first()
        assert person.passport_number  # personal data reads back under the same key


def test_a_restore_goes_only_into_an_empty_database(node, archive):
    with pytest.raises(backup.Conflict, match="not empty"):
        backup.restore(engine_for(node.database_url), archive)


def test_a_restore_under_another_key_is_refused(node, archive, empty_database):
    use_settings(node.model_copy(update={"secret_key": node.secret_key.__class__("another-key-entirely")}))
    try:
        with pytest.raises(backup.Conflict, match="another secret key"):
            backup.restore(empty_database, archive)
    finally:
        use_settings(node)
    assert tables_in(empty_database) == []  # nothing was written


def tables_in(engine) -> list[str]:
    if engine.dialect.name == "sqlite" and not Path(engine.url.database).exists():
        return []
    with engine.connect() as connection:
        return inspect(connection).get_table_names()


def test_something_that_is_not_a_backup_is_refused(node, tmp_path, empty_database):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(backup.Invalid, match="not a JSMS backup"):
        backup.restore(empty_database, junk)


def test_a_backup_whose_data_was_altered_is_found_out(sqlite_node, tmp_path):
    use_settings(sqlite_node)
    archive = tmp_path / "backup.tar.gz"
    backup.backup(engine_for(sqlite_node.database_url), archive)
    work = tmp_path / "unpacked"
    with tarfile.open(archive, "r:gz") as unpacked:
        unpacked.extractall(work, filter="data")
    with sqlite3.connect(work / backup.SQLITE_MEMBER) as db:
        db.execute("UPDATE incident SET title = 'altered' WHERE rowid = (SELECT min(rowid) FROM incident)")
    db.close()
    altered = tmp_path / "altered.tar.gz"
    with tarfile.open(altered, "w:gz") as repacked:
        for member in (backup.MANIFEST, backup.SQLITE_MEMBER):
            repacked.add(work / member, arcname=member)
    target = create_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    assert backup.restore(target, altered).mismatched == ["incident"]
    target.dispose()


def test_the_manifest_names_the_node_and_not_the_key(node, archive):
    manifest = backup.read_manifest(archive)
    assert manifest["node_id"] == node.node_id and len(manifest["key_fingerprint"]) == 16
    with tarfile.open(archive, "r:gz") as unpacked:
        names = unpacked.getnames()
        text_of_manifest = unpacked.extractfile(backup.MANIFEST).read().decode()
    assert sorted(names) == sorted(
        [backup.MANIFEST, backup.SQLITE_MEMBER if node.is_sqlite else backup.POSTGRES_MEMBER]
    )
    assert node.secret_key.get_secret_value() not in text_of_manifest
    json.loads(text_of_manifest)
