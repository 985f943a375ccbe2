"""``dmshub connectors``: the connectors installed (this repo's and any plugin package's)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from flows.cli.context import print_json, state_of

app = typer.Typer(
    help="Connectors registered through the 'dmshub.connectors' entry points.", no_args_is_help=True
)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of objects.")] = False,
) -> None:
    """List every connector: name, kind (source/sink/webhook), streams and package."""
    from connectors.registry import list_connectors

    infos = list_connectors()
    if as_json:
        print_json(
            [
                {
                    "name": i.name,
                    "kind": i.kind,
                    "streams": list(i.streams),
                    "package": i.package,
                    "description": i.description,
                }
                for i in infos
            ]
        )
        return
    table = Table("name", "kind", "streams", "package", title="connectors")
    for i in infos:
        table.add_row(i.name, i.kind, ", ".join(i.streams), i.package)
    state_of(ctx).console.print(table)
