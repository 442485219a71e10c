"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from jsms.schema import alembic_config, current_revision, metadata


def test_migrated_schema_matches_the_models(connection):
    differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_database_is_at_the_single_newest_revision(connection):
    scripts = ScriptDirectory.from_config(alembic_config(connection.engine))
    assert len(scripts.get_heads()) == 1
    assert current_revision(connection.engine) == scripts.get_current_head()
    assert "audit_head" in inspect(connection).get_table_names()
