"""``dmshub demo``: the whole hub on the embedded store, in one command."""

from __future__ import annotations

from typing import Annotated

import typer

from canonical_model.store.database import database_errors, redacted_url
from flows.cli.context import open_engine, state_of


def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Seed of the generated sample network.")] = 2026,
) -> None:
    """Load a sample dealer network, sync its WMS stock files, and show the results.

    Runs on the embedded SQLite store unless --database-url / DMSHUB_DATABASE_URL says
    otherwise. Safe to run again: loads are idempotent merges and synced files are not
    read twice.
    """
    from flows.demo.run import run_demo

    console = state_of(ctx).console
    engine = open_engine(ctx, require_migrated=False)
    console.print(f"store: {redacted_url(engine.url)}")
    with database_errors(engine.url):
        result = run_demo(engine, console, seed=seed)
    if result.status != "succeeded":
        raise typer.Exit(1)
