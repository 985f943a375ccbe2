"""Schema migrations (Alembic) driven from Python: upgrade, downgrade, and "is it migrated?".

The Alembic scripts live in ``canonical_model/migrations``; no ``alembic.ini`` is needed.
"""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from canonical_model.errors import SchemaNotMigrated

__all__ = [
    "alembic_config",
    "check_migrated",
    "current_revision",
    "downgrade",
    "head_revision",
    "upgrade",
]


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged scripts (and at ``connection`` if given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("canonical_model") / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migration scripts found")
    return head


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` in one transaction."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: sa.Engine, revision: str = "base") -> None:
    """Migrate the database down to ``revision`` in one transaction."""
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)


def check_migrated(engine: sa.Engine) -> None:
    """Raise ``SchemaNotMigrated`` unless the database is at the head revision."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        state = "empty (no migrations applied)" if current is None else f"at revision {current}"
        raise SchemaNotMigrated(f"database schema is {state}, code expects {head}: run `dmshub db upgrade`")
