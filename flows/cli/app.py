"""The root ``dmshub`` command: global options, sub-commands, and error handling.

A user mistake (bad URL, unreachable database, unknown connector, bad file) prints one
line on stderr and exits 2; a ``HubError`` never shows a traceback. Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated

import click
import typer
from rich.console import Console

from canonical_model.errors import HubError
from flows.cli import db
from flows.cli.context import CliState

app = typer.Typer(
    name="dmshub",
    help="DMS Hub: connectors, mappings and syncs into a canonical dealer-management store.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")


@app.callback()
def root(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="DMSHUB_DATABASE_URL",
            help="Store URL (postgresql://… or sqlite:///…). Default: embedded SQLite in ./.dmshub/.",
            show_envvar=True,
        ),
    ] = None,
) -> None:
    """DMS Hub command line."""
    ctx.obj = CliState(database_url=database_url)


def _register_commands() -> None:
    # Imported here so each command module stays independent of the others.
    from flows.cli import commands

    commands.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dmshub`` console script; returns the exit code."""
    _register_commands()
    err = Console(stderr=True)
    try:
        result = app(args=argv, standalone_mode=False, prog_name="dmshub")
    except HubError as exc:
        err.print(f"[bold red]error:[/bold red] {exc}", highlight=False, soft_wrap=True)
        return 2
    except click.exceptions.Abort:
        err.print("aborted")
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
