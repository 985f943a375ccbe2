"""``dmshub connector NAME spec|check|discover|read``: a source as an Airbyte process."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from canonical_model.errors import ConfigError
from flows.sync.config import load_config

COMMANDS = ("spec", "check", "discover", "read")


def connector(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Connector name.")],
    command: Annotated[str, typer.Argument(help="spec | check | discover | read")],
) -> None:
    """Run a source the Airbyte way, printing protocol messages as JSON lines.

    Takes Airbyte's options after the command: --config F (check, discover, read),
    --catalog F and --state F (read). $env / $secret references in the config are resolved
    first, so the file never needs to hold a secret.
    """
    from connectors.registry import get_connector
    from connectors.runner import run_source_cli

    if command not in COMMANDS:
        raise ConfigError(f"unknown connector command {command!r}: use one of {', '.join(COMMANDS)}")
    descriptor = get_connector(name)
    if descriptor.kind != "source":
        raise ConfigError(f"connector {name!r} is a {descriptor.kind}; only sources run as Airbyte processes")
    args = list(ctx.args)
    with tempfile.TemporaryDirectory(prefix="dmshub-") as folder:
        if "--config" in args:
            at = args.index("--config") + 1
            if at >= len(args):
                raise ConfigError("--config needs a file")
            resolved = Path(folder) / "config.json"
            # Resolved secrets live only in this private temporary file, removed on exit.
            fd = os.open(resolved, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(load_config(args[at]), out)
            args[at] = str(resolved)
        code = run_source_cli(descriptor.load_factory(), [command, *args])
    if code:
        raise typer.Exit(code)
