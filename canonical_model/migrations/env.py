"""Alembic environment: runs on the connection the hub hands over (see store/migrations.py)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from canonical_model.tables import metadata

config = context.config


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Our column types live in canonical_model.tables.base; migrations import that module.
    module = getattr(obj, "__module__", "")
    if type_ == "type" and module == "canonical_model.tables.base":
        autogen_context.imports.add("from canonical_model.tables import base")
        return f"base.{obj!r}"
    return False


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "run migrations through canonical_model.store.migrations, which passes a connection"
        )
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
