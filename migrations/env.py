"""Alembic environment: one set of migrations for SQLite and PostgreSQL."""

from alembic import context
from sqlalchemy.types import TypeDecorator

from jsms.core.db import get_engine
from jsms.schema import metadata

config = context.config


def render_item(type_, obj, autogen_context):
    """Render our column types as the plain types they store, so migrations need no JSMS imports."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_item=render_item,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _configure(connection)
else:
    with get_engine().connect() as connection:
        _configure(connection)
