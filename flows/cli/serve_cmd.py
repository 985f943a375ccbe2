"""``dmshub serve`` and ``dmshub apikey``: the HTTP API and who may call it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.context import open_engine, print_json, state_of

apikey_app = typer.Typer(help="Create and revoke API keys for the HTTP API.", no_args_is_help=True)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    webhooks: Annotated[
        Path | None,
        typer.Option(
            envvar="DMSHUB_WEBHOOKS", help="Webhook endpoints: {name: {connector, config}} (YAML/JSON)."
        ),
    ] = None,
) -> None:
    """Serve the DMS API and the webhook endpoints (OpenAPI docs at /docs) on HOST:PORT."""
    import uvicorn

    from flows.api import build_app
    from flows.webhooks import load_receivers

    engine = open_engine(ctx)
    receivers = load_receivers(webhooks) if webhooks else {}
    console = state_of(ctx).console
    console.print(f"DMS Hub API on http://{host}:{port} (docs at /docs)")
    for name in receivers:
        console.print(f"  webhook: POST http://{host}:{port}/webhooks/{name}")
    uvicorn.run(
        build_app(engine, receivers=receivers), host=host, port=port, workers=workers, log_level="info"
    )


@apikey_app.command("create")
def create(
    ctx: typer.Context,
    dealer: Annotated[str | None, typer.Option(help="A dealer key, scoped to this dealer and below.")] = None,
    role: Annotated[
        str, typer.Option(help="brand_admin or brand_channel (without --dealer).")
    ] = "brand_channel",
    label: Annotated[str | None, typer.Option(help="What the key is for.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create an API key and print it once (only its hash is stored)."""
    from canonical_model.errors import ConfigError
    from dms_core.api import create_api_key
    from dms_core.api.auth import Role

    if dealer is None and role not in ("brand_admin", "brand_channel"):
        raise ConfigError(f"unknown role {role!r}: use brand_admin or brand_channel, or --dealer CODE")
    engine = open_engine(ctx)
    chosen: Role = "dealer" if dealer else ("brand_admin" if role == "brand_admin" else "brand_channel")
    with engine.begin() as conn:
        key = create_api_key(conn, role=chosen, dealer_code=dealer, label=label)
    if as_json:
        print_json({"key": key, "key_id": key.split("_")[1], "dealer": dealer})
    else:
        state_of(ctx).console.print(key, highlight=False)


@apikey_app.command("revoke")
def revoke(
    ctx: typer.Context, key_id: Annotated[str, typer.Argument(help="The key id (2nd part of the key).")]
) -> None:
    """Revoke a key; requests with it are refused from now on."""
    from canonical_model.errors import ConfigError
    from dms_core.api.auth import revoke_api_key

    engine = open_engine(ctx)
    with engine.begin() as conn:
        if not revoke_api_key(conn, key_id):
            raise ConfigError(f"no active API key {key_id!r}")
    state_of(ctx).console.print(f"revoked {key_id}")
