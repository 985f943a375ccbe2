"""Registers every sub-command on the root app (one module per command group)."""

from __future__ import annotations

import typer

__all__ = ["register"]

_registered = False


def register(app: typer.Typer) -> None:
    """Attach the command groups to ``app`` once."""
    global _registered
    if _registered:
        return
    from flows.cli import (
        channel_cmd,
        connector_cmd,
        connectors_cmd,
        demo_cmd,
        deploy_cmd,
        epcis_cmd,
        mapping_cmd,
        quarantine_cmd,
        run_cmd,
        serve_cmd,
        sync_cmd,
        trace_cmd,
    )

    app.command("demo")(demo_cmd.demo)
    app.command("sync")(sync_cmd.sync)
    app.command("connector", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
        connector_cmd.connector
    )
    app.add_typer(connectors_cmd.app, name="connectors")
    app.add_typer(mapping_cmd.app, name="mapping")
    app.add_typer(quarantine_cmd.app, name="quarantine")
    app.command("serve")(serve_cmd.serve)
    app.add_typer(serve_cmd.apikey_app, name="apikey")
    app.add_typer(channel_cmd.rebates_app, name="rebates")
    app.add_typer(channel_cmd.health_app, name="health")
    app.add_typer(channel_cmd.prices_app, name="prices")
    app.command("reconcile")(channel_cmd.reconcile)
    app.command("run")(run_cmd.run)
    app.command("deploy")(deploy_cmd.deploy)
    app.add_typer(epcis_cmd.app, name="epcis")
    app.add_typer(trace_cmd.app, name="trace")
    app.add_typer(trace_cmd.alerts_app, name="alerts")
    _registered = True
