"""``dmshub demo``: the whole hub on the embedded store, in one command."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from canonical_model.store.database import database_errors, redacted_url
from canonical_model.store.migrations import upgrade
from flows.cli.context import open_engine, state_of


def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Seed of the generated sample network.")] = 2026,
) -> None:
    """Create the store if needed and load a realistic sample dealer network, then summarise it.

    Runs on the embedded SQLite store unless --database-url / DMSHUB_DATABASE_URL says
    otherwise. Safe to run again: loading is an idempotent merge.
    """
    from flows.demo.load import load_sample_network, render_summary, summarize_network
    from flows.demo.sample_network import build_sample_network

    console = state_of(ctx).console
    engine = open_engine(ctx, require_migrated=False)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("migrating the store", total=None)
        with database_errors(engine.url):
            upgrade(engine)
        progress.update(task, description="generating the sample network")
        network = build_sample_network(seed=seed)
        progress.update(task, description="loading the sample network")
        with database_errors(engine.url):
            counts = load_sample_network(engine, network)
            summary = summarize_network(engine)
    console.print(f"store: {redacted_url(engine.url)}")
    console.print("loaded: " + ", ".join(f"{name} {n}" for name, n in counts.items() if n))
    render_summary(summary, console)
