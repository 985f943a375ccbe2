"""Migrations: empty → head → base on both databases, and the tables match the migrated schema."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from canonical_model.errors import SchemaNotMigrated
from canonical_model.store.migrations import (
    check_migrated,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from canonical_model.tables import metadata


def _user_tables(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_creates_every_table_at_head(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert _user_tables(empty_engine) == set(metadata.tables)


def test_downgrade_to_base_removes_every_table(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert _user_tables(empty_engine) == set()
    upgrade(empty_engine)  # and back up again: the round trip is repeatable
    assert _user_tables(empty_engine) == set(metadata.tables)


def test_migrated_schema_has_no_drift_from_the_table_definitions(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_check_migrated_names_the_command_to_run(empty_engine: Engine) -> None:
    with pytest.raises(SchemaNotMigrated, match="dmshub db upgrade"):
        check_migrated(empty_engine)
    upgrade(empty_engine)
    check_migrated(empty_engine)


def test_upgrading_an_older_store_keeps_its_rows(empty_engine: Engine) -> None:
    from canonical_model.tables import dealers

    upgrade(empty_engine, "0001")
    with empty_engine.begin() as conn:
        conn.execute(
            dealers.insert().values(code="BRAND", name="品牌", level=0, created_at=_now(), updated_at=_now())
        )
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(sa.select(dealers.c.name)).scalars().all() == ["品牌"]
    assert current_revision(empty_engine) == head_revision()


def _now() -> object:
    from canonical_model.tables import utcnow

    return utcnow()
