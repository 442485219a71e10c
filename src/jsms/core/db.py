"""Database engine, sessions and the declarative base shared by every domain."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

from jsms.core.actor import Actor
from jsms.core.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ACTOR_KEY = "jsms.actor"


class UTCDateTime(TypeDecorator):
    """Store naive UTC (SQLite keeps no zone), hand back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; JSMS stores aware UTC times only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    """A client-generated UUID key: known before flush (the audit hook needs it) and safe to federate."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VersionMixin:
    """Optimistic concurrency: the version is the ETag; a stale update raises StaleDataError."""

    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


class Audited:
    """Marks a model whose every insert, update and delete is written to the audit chain."""

    # Columns whose values never enter the audit record (secrets, ciphertext of personal data).
    __audit_redact__: frozenset[str] = frozenset()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (see _sqlite_begin):
    # the module's own implicit transactions break SAVEPOINTs.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")  # a commit (an acknowledged ping) survives power loss
    cursor.close()


WRITE_OPTION = "jsms_write"


def _sqlite_begin(connection) -> None:
    # A unit of work that will write takes SQLite's write lock at BEGIN: a deferred
    # transaction that reads first and writes later fails outright (SQLITE_BUSY_SNAPSHOT)
    # when another writer committed in between, instead of waiting its turn.
    immediate = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache(maxsize=8)
def engine_for(url: str, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True)
    return engine


def get_engine() -> Engine:
    settings = get_settings()
    return engine_for(settings.database_url, settings.sql_echo)


@lru_cache(maxsize=8)
def _sessionmaker_for(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


_shared_connection: Connection | None = None


def share_connection(connection: Connection | None) -> None:
    """Make every new session join this connection's transaction (tests roll it back afterwards)."""
    global _shared_connection
    _shared_connection = connection


def new_session(actor: Actor | None, engine: Engine | None = None, *, write: bool = False) -> Session:
    """Open a session bound to an actor.

    The actor rides in `session.info` rather than a context variable: FastAPI runs
    sync dependencies and endpoints in different worker threads, and a context
    variable set in one would not be seen in the other. Every write is audited
    against this actor; a flush without one fails (see core/audit.py).
    """
    if _shared_connection is not None and engine is None:
        session = Session(
            bind=_shared_connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
        )
    else:
        session = _sessionmaker_for(engine or get_engine())()
        if write:
            session.connection(execution_options={WRITE_OPTION: True})
    session.info[ACTOR_KEY] = actor
    return session


def execute_many_raw(session: Session, sql: str, rows: list[tuple]) -> None:
    """Run one statement for many rows straight through the database driver, inside the session's
    transaction: for the tracking hot path, where SQLAlchemy's statement handling would cost more
    than the insert. `sql` uses the driver's placeholders (see `placeholder`)."""
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def placeholder(session: Session) -> str:
    return "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"


def actor_of(session: Session) -> Actor | None:
    return session.info.get(ACTOR_KEY)


@contextmanager
def unit_of_work(actor: Actor, engine: Engine | None = None) -> Iterator[Session]:
    """Open a session for one unit of work: commit when the block succeeds, roll back otherwise."""
    session = new_session(actor, engine, write=True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def acting_as(session: Session, actor: Actor) -> Iterator[Session]:
    """Let `actor` do a part of the session's work (the system recording a lock-out at sign-in,
    when nobody is signed in yet), then give the session back to whoever it was acting for."""
    previous = session.info.get(ACTOR_KEY)
    session.info[ACTOR_KEY] = actor
    try:
        yield session
    finally:
        session.info[ACTOR_KEY] = previous
