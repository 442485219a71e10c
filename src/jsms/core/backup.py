"""Backup and restore of a node's database, checked row by row.

A backup is one `.tar.gz` archive: the database as its own tool copies it (SQLite's online
backup API; `pg_dump` in its custom format) and a manifest: the schema revision, the node, a
fingerprint of the secret key, and for every table its row count and a digest of its rows.
Digests are taken from the very state copied (the SQLite copy itself; PostgreSQL's exported
snapshot, which `pg_dump` then dumps), so a running node can be backed up.

A restore goes into an empty database only, whole or not at all (SQLite: a file renamed into
place; PostgreSQL: `pg_restore --single-transaction`), then digests the restored tables and
compares them with the manifest. The secret key is not in the archive — whoever holds a backup
must not hold the key to its personal data — and a restore under another key is refused, since
that data would be unreadable.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, MetaData, create_engine, inspect, select
from sqlalchemy.engine import make_url

import jsms
from jsms.core.audit import canonical_json
from jsms.core.config import get_settings
from jsms.core.errors import Conflict, DomainError, Invalid

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
POSTGRES_MEMBER = "database.pgdump"

Progress = Callable[[str], None]


class BackupFailed(DomainError):
    status = 500
    title = "Backup or restore failed"
    slug = "backup-failed"


@dataclass(frozen=True)
class TableDigest:
    rows: int
    sha256: str


@dataclass
class Restored:
    tables: int
    rows: int
    mismatched: list[str]


def key_fingerprint() -> str:
    """Names the secret key without revealing it: a restore under another key is refused."""
    secret = get_settings().secret_key.get_secret_value().encode()
    return hashlib.sha256(b"jsms backup key check\0" + secret).hexdigest()[:16]


# ---- digests -----------------------------------------------------------------------------


def table_digests(connection: Connection, progress: Progress | None = None) -> dict[str, TableDigest]:
    """Row count and SHA-256 of every table's rows in primary-key order, as the connection sees
    them (read from the database itself, so any table of any version is covered)."""
    metadata = MetaData()
    metadata.reflect(connection)
    digests = {}
    for name in sorted(metadata.tables):
        if progress:
            progress(name)
        table = metadata.tables[name]
        order = list(table.primary_key.columns) or list(table.columns)
        hasher, rows = hashlib.sha256(), 0
        for row in connection.execute(select(table).order_by(*order)):
            hasher.update(canonical_json(list(row)).encode())  # as the audit chain writes values
            hasher.update(b"\n")
            rows += 1
        digests[name] = TableDigest(rows, hasher.hexdigest())
    return digests


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _manifest(engine_kind: str, revision: str | None, digests: dict[str, TableDigest]) -> dict:
    settings = get_settings()
    return {
        "format": FORMAT,
        "jsms": jsms.__version__,
        "engine": engine_kind,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "node_id": settings.node_id,
        "schema_revision": revision,
        "key_fingerprint": key_fingerprint(),
        "tables": {name: {"rows": d.rows, "sha256": d.sha256} for name, d in digests.items()},
    }


# ---- backup ------------------------------------------------------------------------------


def backup(engine: Engine, target: Path, progress: Progress | None = None) -> dict:
    """Write the database behind `engine` to the archive `target`; returns the manifest."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jsms-backup-") as work:
        work_dir = Path(work)
        if engine.dialect.name == "sqlite":
            member, manifest = _backup_sqlite(engine, work_dir / SQLITE_MEMBER, progress)
        elif engine.dialect.name == "postgresql":
            member, manifest = _backup_postgres(engine, work_dir / POSTGRES_MEMBER, progress)
        else:
            raise Invalid(f"Cannot back up a {engine.dialect.name} database")
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            archive.add(member, arcname=member.name)
        os.replace(partial, target)  # a backup is there whole, or not at all
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise Invalid("An in-memory SQLite database has nothing to back up")
    return Path(database)


def _backup_sqlite(engine: Engine, copy: Path, progress: Progress | None) -> tuple[Path, dict]:
    # The online backup API copies a consistent state while the node keeps writing.
    with sqlite3.connect(_sqlite_path(engine)) as source, sqlite3.connect(copy) as destination:
        source.backup(destination)
    source.close()
    destination.close()
    with _sqlite_engine(copy) as copied, copied.connect() as connection:
        manifest = _manifest("sqlite", _revision(connection), table_digests(connection, progress))
    return copy, manifest


@contextmanager
def _sqlite_engine(path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        yield engine
    finally:
        engine.dispose()


def _backup_postgres(engine: Engine, dump: Path, progress: Progress | None) -> tuple[Path, dict]:
    # Digests and dump read one exported snapshot: what the manifest describes is what was dumped.
    with engine.connect() as connection:
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
        manifest = _manifest("postgresql", _revision(connection), table_digests(connection, progress))
        _pg_tool(
            engine,
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={dump}",
        )
        connection.rollback()
    return dump, manifest


def pg_tool_path(tool: str) -> str | None:
    """The newest Debian PostgreSQL client tool (`pg_dump` must not be older than the server)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), key=lambda p: int(p.parts[-3]))
    return str(candidates[-1]) if candidates else shutil.which(tool)


def _pg_tool(engine: Engine, tool: str, *arguments: str) -> None:
    path = pg_tool_path(tool)
    if path is None:
        raise BackupFailed(f"{tool} is not installed (Debian package 'postgresql-client')")
    url = engine.url
    # The password goes in the environment, not the command line other users can read.
    environment = {**os.environ, "PGPASSWORD": url.password or ""}
    address = make_url(str(url.set(drivername="postgresql", password=None))).render_as_string()
    done = subprocess.run(
        [path, f"--dbname={address}", *arguments], capture_output=True, text=True, env=environment
    )
    if done.returncode != 0:
        raise BackupFailed(f"{tool} failed: {done.stderr.strip()[-500:]}")


# ---- restore -----------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    try:
        with tarfile.open(source, "r:gz") as archive:
            manifest = json.load(archive.extractfile(MANIFEST))
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as error:
        raise Invalid(f"{source} is not a JSMS backup: {error}") from None
    if manifest.get("format") != FORMAT:
        raise Invalid(f"{source} is a backup of format {manifest.get('format')}, not {FORMAT}")
    return manifest


def restore(engine: Engine, source: Path, progress: Progress | None = None) -> Restored:
    """Restore the archive into the empty database behind `engine`, then compare every table."""
    manifest = read_manifest(source)
    if manifest["engine"] != engine.dialect.name:
        raise Invalid(
            f"The backup is of a {manifest['engine']} database; this node uses {engine.dialect.name}"
        )
    if manifest["key_fingerprint"] != key_fingerprint():
        raise Conflict(
            "The backup was made under another secret key: its personal data would be unreadable. "
            "Set JSMS_SECRET_KEY (or the data directory's secret.key) to the original node's key"
        )
    if engine.dialect.name == "sqlite":
        _sqlite_path(engine).parent.mkdir(parents=True, exist_ok=True)
    with engine.connect() as connection:
        present = inspect(connection).get_table_names()
    if present:
        raise Conflict(f"The database is not empty ({len(present)} tables): restore into an empty one")
    engine.dispose()  # no pooled connection may hold the file or database being replaced
    with tempfile.TemporaryDirectory(prefix="jsms-restore-") as work:
        with tarfile.open(source, "r:gz") as archive:
            archive.extractall(work, filter="data")
        if engine.dialect.name == "sqlite":
            _restore_sqlite(engine, Path(work) / SQLITE_MEMBER)
        else:
            _pg_tool(
                engine,
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(Path(work) / POSTGRES_MEMBER),
            )
    with engine.connect() as connection:
        digests = table_digests(connection, progress)
    expected = {name: TableDigest(t["rows"], t["sha256"]) for name, t in manifest["tables"].items()}
    mismatched = sorted(
        name for name in expected.keys() | digests.keys() if expected.get(name) != digests.get(name)
    )
    return Restored(len(digests), sum(d.rows for d in digests.values()), mismatched)


def _restore_sqlite(engine: Engine, copy: Path) -> None:
    target = _sqlite_path(engine)
    # Found without tables above: what is there is only what opening it wrote (a header, a WAL).
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(copy, partial)
    os.replace(partial, target)  # the database appears whole, or not at all
