"""``dmshub quarantine``: rejected records with their reasons, and replaying them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.table import Table

from canonical_model.errors import ConfigError
from canonical_model.tables import quarantine
from flows.cli.context import open_engine, print_json, state_of

app = typer.Typer(help="Inspect and replay rejected records (quarantine).", no_args_is_help=True)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    connector: Annotated[str | None, typer.Option(help="Only this connector.")] = None,
    stream: Annotated[str | None, typer.Option(help="Only this stream.")] = None,
    rule: Annotated[str | None, typer.Option(help="Only this failing rule, e.g. cast:on_hand.")] = None,
    status: Annotated[str, typer.Option(help="open, replayed, discarded or all.")] = "open",
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List quarantined records, newest first, with the rule that rejected each."""
    engine = open_engine(ctx)
    query = (
        sa.select(
            quarantine.c.id,
            quarantine.c.connector,
            quarantine.c.stream,
            quarantine.c.rule,
            quarantine.c.reason,
            quarantine.c.source_offset,
            quarantine.c.status,
            quarantine.c.created_at,
        )
        .order_by(quarantine.c.id.desc())
        .limit(limit)
    )
    if status != "all":
        if status not in ("open", "replayed", "discarded"):
            raise ConfigError(f"unknown status {status!r}: use open, replayed, discarded or all")
        query = query.where(quarantine.c.status == status)
    for column, value in (("connector", connector), ("stream", stream), ("rule", rule)):
        if value is not None:
            query = query.where(quarantine.c[column] == value)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "connector", "stream", "rule", "reason", "offset", "status", title="quarantine")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["connector"],
            r["stream"],
            r["rule"],
            r["reason"],
            r["source_offset"] or "",
            r["status"],
        )
    state_of(ctx).console.print(table)


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(help="The quarantine id (see `quarantine list`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one quarantined record: its reason, rule, run, source offset and raw payload."""
    engine = open_engine(ctx)
    with engine.connect() as conn:
        row = conn.execute(sa.select(quarantine).where(quarantine.c.id == record_id)).first()
    if row is None:
        raise ConfigError(f"no quarantined record with id {record_id}")
    data: dict[str, Any] = dict(row._mapping)
    if as_json:
        print_json(data)
        return
    console = state_of(ctx).console
    for key in (
        "id",
        "connector",
        "stream",
        "rule",
        "reason",
        "record_key",
        "source_offset",
        "run_id",
        "status",
        "created_at",
        "resolved_at",
    ):
        console.print(f"[bold]{key}[/bold]: {data[key]}")
    console.print("[bold]raw[/bold]:")
    console.print_json(data=data["raw"])


@app.command("replay")
def replay_cmd(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None, typer.Argument(help="Quarantine ids (default: all open that match).")
    ] = None,
    connector: Annotated[str | None, typer.Option(help="Only this connector.")] = None,
    stream: Annotated[str | None, typer.Option(help="Only this stream.")] = None,
    rule: Annotated[str | None, typer.Option(help="Only records rejected by this rule.")] = None,
    mappings: Annotated[
        list[Path] | None, typer.Option("--mappings", help="Extra folder of mapping specs (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Map open quarantined records again (after fixing the mapping or reference data).

    Records that now pass are loaded and marked replayed; the others stay open with
    their new reason. Exit code 1 if any record still fails.
    """
    from flows.sync.replay import replay_quarantine

    engine = open_engine(ctx)
    result = replay_quarantine(
        engine,
        connector=connector,
        stream=stream,
        rule=rule,
        ids=ids or (),
        mapping_dirs=tuple(mappings or ()),
    )
    if as_json:
        print_json(
            {
                "replayed": result.replayed,
                "still_failing": result.still_failing,
                "by_stream": {
                    k: {"replayed": a, "still_failing": b} for k, (a, b) in result.by_stream.items()
                },
            }
        )
    else:
        state_of(ctx).console.print(
            f"replayed {result.replayed} record(s); {result.still_failing} still failing", highlight=False
        )
    if result.still_failing:
        raise typer.Exit(1)
