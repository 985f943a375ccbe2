"""``dmshub epcis``: EPCIS 2.0 documents out of and into the trace store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from canonical_model.errors import ConfigError
from flows.cli.context import open_engine, state_of

app = typer.Typer(help="EPCIS 2.0 documents: export and import trace events.", no_args_is_help=True)


def parse_moment(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 date or date-time; without an offset it is taken as UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"{option} {value!r}: use an ISO 8601 date or date-time, e.g. 2026-11-01T08:00+08:00"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Option(help="A code's history (EPC URN or GS1 Digital Link).")] = None,
    order: Annotated[str | None, typer.Option(help="The codes shipped on this order.")] = None,
    dealer: Annotated[str | None, typer.Option(help="The codes shipped to this dealer.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Events at or after (ISO 8601; UTC without offset).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Events before (ISO 8601; UTC without offset).")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (default: stdout).")
    ] = None,
) -> None:
    """Write an EPCISDocument (JSON-LD, checked against GS1's schema) for the events matching every filter."""
    from dms_core.epcis import export_document

    engine = open_engine(ctx)
    with engine.connect() as conn:
        document = export_document(
            conn,
            code=code,
            order_no=order,
            dealer_code=dealer,
            since=parse_moment(since, "--since"),
            until=parse_moment(until, "--until"),
        )
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    count = len(document["epcisBody"]["eventList"])
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    state_of(ctx).console.print(f"wrote {count} event(s) to {output}", highlight=False)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An EPCIS 2.0 JSON document.")],
) -> None:
    """Validate an EPCIS 2.0 document against GS1's schema and record its events (all or nothing)."""
    from dms_core.epcis import import_document, read_document

    document = read_document(file)
    engine = open_engine(ctx)
    with engine.begin() as conn:
        result = import_document(conn, document, source_key=file.name)
    state_of(ctx).console.print(
        f"{file.name}: {result.events} event(s), {len(result.inserted)} new, {len(result.existing)} already "
        f"recorded, {len(result.declared)} declared in error",
        highlight=False,
    )
