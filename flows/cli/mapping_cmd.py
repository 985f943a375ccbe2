"""``dmshub mapping``: validate mapping specs and preview what they do to real records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from canonical_model.errors import ConfigError, HubError
from flows.cli.context import open_engine, print_json, state_of
from flows.sync.config import load_config

app = typer.Typer(
    help="Validate and preview declarative mappings (mappings/<connector>/<stream>.yaml).",
    no_args_is_help=True,
)

MappingsOpt = Annotated[
    list[Path] | None, typer.Option("--mappings", help="Extra folder of mapping specs (repeatable).")
]


@app.command("check")
def check_cmd(
    ctx: typer.Context,
    connector: Annotated[str, typer.Argument(help="Connector whose mappings to check.")],
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Connector config: also check against its streams' schemas."),
    ] = None,
    mappings: MappingsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Validate every spec of CONNECTOR (file, line and field named for each problem).

    With --config, also check each spec against the JSON schema its stream discovers.
    Exit code 1 if any spec has a problem.
    """
    from mappings.registry import find_specs, load_spec_for
    from mappings.schema_check import check_spec_against_schema

    found = find_specs(connector, extra_dirs=tuple(mappings or ()))
    if not found:
        raise ConfigError(f"no mapping specs for connector {connector!r}")
    schemas: dict[str, Any] = {}
    if config is not None:
        from flows.sync.engine import load_source

        source = load_source(connector)
        schemas = {
            s.name: s.get_json_schema() for s in source.hub_streams(source.parse_config(load_config(config)))
        }
    report: list[dict[str, Any]] = []
    for stream, path in sorted(found.items()):
        problems: list[str] = []
        try:
            spec = load_spec_for(connector, stream, extra_dirs=tuple(mappings or ()))
            if stream in schemas:
                problems = check_spec_against_schema(spec, schemas[stream])
            elif schemas:
                problems = [f"connector {connector!r} has no stream {stream!r}"]
        except HubError as exc:
            problems = [str(exc)]
        report.append({"stream": stream, "file": str(path), "ok": not problems, "problems": problems})
    if as_json:
        print_json(report)
    else:
        console = state_of(ctx).console
        for item in report:
            mark = "[green]ok[/green]" if item["ok"] else "[red]problems[/red]"
            console.print(f"{connector}/{item['stream']} ({item['file']}): {mark}", highlight=False)
            for problem in item["problems"]:
                console.print(f"  - {problem}", highlight=False)
    if not all(item["ok"] for item in report):
        raise typer.Exit(1)


@app.command("preview")
def preview_cmd(
    ctx: typer.Context,
    connector: Annotated[str, typer.Argument(help="Connector name.")],
    stream: Annotated[str, typer.Argument(help="Stream name.")],
    config: Annotated[Path, typer.Option("--config", "-c", help="Connector config (JSON or YAML).")],
    rows: Annotated[int, typer.Option(min=1, max=1000, help="How many records.")] = 10,
    mappings: MappingsOpt = None,
) -> None:
    """Show the first records of STREAM before and after its mapping, and why any were rejected.

    Reads from the source (nothing is written); reference data (known SKUs, unit
    conversions) comes from the store.
    """
    from flows.sync.engine import load_source
    from mappings.reference import load_reference_data
    from mappings.registry import load_spec_for
    from mappings.schema_check import preview

    spec = load_spec_for(connector, stream, extra_dirs=tuple(mappings or ()))
    source = load_source(connector)
    by_name = {s.name: s for s in source.hub_streams(source.parse_config(load_config(config)))}
    if stream not in by_name:
        raise ConfigError(
            f"connector {connector!r} has no stream {stream!r}; its streams: {', '.join(by_name)}"
        )
    records: list[dict[str, Any]] = []
    for batch in by_name[stream].read_batches(None):
        head = batch.frame.head(rows - len(records))
        records.extend({str(k): v for k, v in row.items()} for row in head.to_dict("records"))
        if len(records) >= rows:
            break
    engine = open_engine(ctx)
    with engine.connect() as conn:
        reference = load_reference_data(conn, spec)
    before, after, rejects = preview(spec, records, rows, reference=reference)
    console = state_of(ctx).console
    console.print(_table(f"{connector}/{stream}: source records", before))
    console.print(_table(f"→ {spec.entity}", after))
    for r in rejects:
        console.print(f"[red]rejected[/red] {r.record_key or ''} {r.rule}: {r.reason}", highlight=False)


def _table(title: str, frame: Any) -> Table:
    table = Table(*[str(c) for c in frame.columns], title=title)
    for row in frame.itertuples(index=False):
        table.add_row(*["" if v is None else str(v) for v in row])
    return table
