"""``dmshub demo``: the whole hub on the embedded store, in one command."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from canonical_model.store.database import ENV_VAR, database_errors, redacted_url
from flows.cli.context import open_engine, state_of


def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Seed of the generated sample network.")] = 2026,
) -> None:
    """Run the hub on a sample dealer network, as the Prefect flow 'demo'.

    Syncs, orders, the ERP push, webhooks, shipments and trace codes: one task per step.

    Runs on the embedded SQLite store unless --database-url / DMSHUB_DATABASE_URL says
    otherwise. Safe to run again: loads are idempotent merges and synced files are not
    read twice. With PREFECT_API_URL set, the run shows in that Prefect server's UI.
    """
    console = state_of(ctx).console
    engine = open_engine(ctx, require_migrated=False)
    console.print(f"store: {redacted_url(engine.url)}")
    # The flow opens the store itself: the URL (and any password in it) travels through
    # the environment of this process, never as a flow parameter a Prefect server keeps.
    os.environ[ENV_VAR] = engine.url.render_as_string(hide_password=False)
    # Prefect's own INFO lines (temporary server, run states) would bury the demo's output.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.demo.run import demo as demo_flow

    with database_errors(engine.url):
        status = demo_flow(seed=seed)
    if status != "succeeded":
        raise typer.Exit(1)
