"""What every command shares: the database URL, the console, and opening the store."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import typer
from rich.console import Console

from canonical_model.store.database import create_engine, database_errors, resolve_url
from canonical_model.store.migrations import check_migrated

__all__ = ["CliState", "open_engine", "print_json", "state_of"]


@dataclass
class CliState:
    database_url: str | None = None
    console: Console = field(default_factory=Console)
    err: Console = field(default_factory=lambda: Console(stderr=True))


def state_of(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        obj = CliState()
        ctx.find_root().obj = obj
    return obj


def open_engine(ctx: typer.Context, *, require_migrated: bool = True) -> sa.Engine:
    """An engine on the configured store, proven reachable (and migrated, unless told not to)."""
    url = resolve_url(state_of(ctx).database_url)
    engine = create_engine(url)
    with database_errors(url):
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        if require_migrated:
            check_migrated(engine)
    return engine


def print_json(data: Any) -> None:
    """Machine-readable output on stdout (for ``--json``)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
