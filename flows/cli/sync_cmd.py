"""``dmshub sync``: run a connector's streams into the canonical store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.cli.context import open_engine, print_json, state_of
from flows.sync.config import load_config
from flows.sync.result import StreamResult, SyncResult


def sync(
    ctx: typer.Context,
    connector: Annotated[str, typer.Argument(help="Connector name (see `dmshub connectors list`).")],
    config: Annotated[Path, typer.Option("--config", "-c", help="Connector config (JSON or YAML).")],
    streams: Annotated[str | None, typer.Option(help="Comma-separated streams (default: all).")] = None,
    full_refresh: Annotated[
        bool,
        typer.Option("--full-refresh", help="Read everything; soft-delete rows the source no longer has."),
    ] = False,
    mappings: Annotated[
        list[Path] | None, typer.Option("--mappings", help="Extra folder of mapping specs (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
) -> None:
    """Sync CONNECTOR into the store: incremental from the saved cursor unless --full-refresh.

    Each batch's rows, rejected records (quarantine), cursor and counters commit together,
    so an interrupted sync resumes where it stopped. Exit code 1 if any stream failed.
    """
    from flows.sync.engine import SyncRequest, run_sync

    engine = open_engine(ctx)
    request = SyncRequest(
        connector=connector,
        config=load_config(config),
        streams=[s.strip() for s in streams.split(",") if s.strip()] if streams else None,
        full_refresh=full_refresh,
        mapping_dirs=tuple(mappings or ()),
        trigger="cli",
    )
    console = state_of(ctx).console
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task(f"syncing {connector}", total=None)

        def progress(outcome: StreamResult) -> None:
            counts = f"{outcome.read:,} read, {outcome.loaded:,} loaded, {outcome.rejected:,} rejected"
            bar.update(task, description=f"{connector}/{outcome.stream}: {counts}")

        result = run_sync(engine, request, progress=progress)
    if as_json:
        print_json(result.as_dict())
    else:
        render_result(result, console)
    if result.status != "succeeded":
        raise typer.Exit(1)


def render_result(result: SyncResult, console: Console) -> None:
    """The run summary as a table, with where to look next."""
    table = Table(
        "stream",
        "entity",
        "read",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "deleted",
        "seconds",
        "status",
        title=f"sync {result.connector} ({result.mode}) — run {result.run_id}",
    )
    for s in result.streams:
        seconds = s.seconds_read + s.seconds_map + s.seconds_load
        status = "[green]ok[/green]" if not s.error else "[red]failed[/red]"
        table.add_row(
            s.stream,
            s.entity,
            f"{s.read:,}",
            f"{s.inserted:,}",
            f"{s.updated:,}",
            f"{s.unchanged:,}",
            f"{s.rejected:,}",
            f"{s.deleted:,}",
            f"{seconds:.2f}",
            status,
        )
    console.print(table)
    console.print("new/upd/same: rows inserted / updated / unchanged; rej: quarantined; del: soft-deleted")
    for s in result.streams:
        if s.error:
            console.print(f"[red]{s.stream}[/red]: {s.error}", highlight=False)
        if s.drift and (s.drift.get("added") or s.drift.get("removed") or s.drift.get("type_changed")):
            console.print(
                f"[yellow]schema drift in {s.stream}[/yellow]: added {s.drift.get('added')}, "
                f"removed {s.drift.get('removed')}, type changed {s.drift.get('type_changed')}",
                highlight=False,
            )
    rejected = sum(s.rejected for s in result.streams)
    if rejected:
        console.print(
            f"{rejected:,} record(s) quarantined: `dmshub quarantine list --connector {result.connector}`",
            highlight=False,
        )
