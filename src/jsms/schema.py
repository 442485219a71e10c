"""The whole schema and its migrations.

Importing this module registers every domain's tables on the one MetaData, which
Alembic compares against; domains themselves keep to their own models.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

import jsms.alerts.models
import jsms.coordination.models
import jsms.core.events
import jsms.core.models
import jsms.incidents.models
import jsms.movements.models
import jsms.osint.models
import jsms.registry.models
import jsms.reports.models
import jsms.risk.models
import jsms.sharing.models
import jsms.tracking.models
import jsms.welfare.models
from jsms.core.db import Base, get_engine

# Importing each domain's models registers its tables on the one MetaData.
DOMAIN_MODELS = (
    jsms.alerts.models,
    jsms.coordination.models,
    jsms.core.events,
    jsms.core.models,
    jsms.incidents.models,
    jsms.movements.models,
    jsms.osint.models,
    jsms.registry.models,
    jsms.reports.models,
    jsms.risk.models,
    jsms.sharing.models,
    jsms.tracking.models,
    jsms.welfare.models,
)
metadata = Base.metadata
_PACKAGE_DIR = Path(__file__).resolve().parent


def migrations_dir() -> Path:
    """The Alembic scripts: inside the wheel when installed, at the repository root in a clone."""
    for candidate in (_PACKAGE_DIR / "_migrations", _PACKAGE_DIR.parents[1] / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("the Alembic migrations directory is missing from this installation")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine | None = None, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (all migrations by default)."""
    engine = engine or get_engine()
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine | None = None) -> str | None:
    engine = engine or get_engine()
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
