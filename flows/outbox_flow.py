"""The ``outbox`` flow: approved orders → ERP sales orders, ERP numbers written back.

One task per target (the ``outbox.target`` the ordering service writes, e.g. ``sap-rfc``):
it builds that target's order sink from a config file (``$env``/``$secret`` references
resolved from the environment or Prefect Secret blocks) and drains the target's due
messages with :func:`flows.outbox.drain_outbox`. Exactly once is the sink's job (lookup by
our order number before any retry) and the outbox's (a lease per message): the task is
retried only when the store is unreachable, and a retried or repeated drain never creates
a second ERP document. The artifact lists every order sent (with its ERP number), retrying
or dead (with the already-redacted reason).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from canonical_model.errors import ConfigError
from canonical_model.tables import utcnow
from flows.outbox import OrderSink, drain_outbox
from flows.retrying import RETRY_DELAYS, store_unreachable
from flows.run_artifacts import markdown_table

__all__ = [
    "build_sink",
    "drain_target",
    "drain_target_step",
    "outbox_draining",
    "outbox_markdown",
    "sink_connector_for",
]


def sink_connector_for(target: str, sinks: Mapping[str, str] | None = None) -> str:
    """The sink connector of ``target``: as configured, else ``<target>-orders``.

    ``sap-rfc`` → ``sap-rfc-orders``; a target already named for a sink is used as is.
    """
    if sinks and target in sinks:
        return sinks[target]
    return target if target.endswith("-orders") else f"{target}-orders"


def load_sink_config(config_path: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The sink config with its secrets resolved, and the secret values (for redaction)."""
    import os

    from flows.sync.config import load_config, resolve_secrets

    used: list[str] = []

    class _RecordingEnv(dict[str, str]):
        def __getitem__(self, key: str) -> str:
            used.append(super().__getitem__(key))
            return used[-1]

    def lookup(name: str) -> str:
        used.append(str(resolve_secrets({"$secret": name})))
        return used[-1]

    config = load_config(config_path, env=_RecordingEnv(os.environ), secret_lookup=lookup)
    return config, tuple(used)


def build_sink(connector: str, config: Mapping[str, Any]) -> OrderSink:
    """A registered order sink (``sap-rfc-orders``, ``oracle-fusion-orders``, ...) for ``config``."""
    from connectors.registry import get_connector

    sink: Any = get_connector(connector).create_sink(config)
    if not callable(getattr(sink, "submit_order", None)):
        raise ConfigError(f"connector {connector!r} cannot submit orders")
    return sink  # type: ignore[no-any-return]


def drain_target(
    engine: sa.Engine,
    target: str,
    sink: OrderSink,
    *,
    limit: int = 100,
    lease: timedelta = timedelta(minutes=10),
    clock: Callable[[], datetime] = utcnow,
    secrets: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Drain ``target``'s due messages through ``sink``; a JSON-ready summary (no secrets)."""
    result = drain_outbox(engine, {target: sink}, limit=limit, lease=lease, clock=clock, secrets=secrets)
    return {"target": target, "sent": result.sent, "retrying": result.retrying, "dead": result.dead}


@task(name="drain-outbox", retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=store_unreachable)
def drain_target_step(
    target: str,
    sink_connector: str,
    config_path: str,
    database_url: str | None,
    limit: int,
    lease_seconds: int,
) -> dict[str, Any]:
    """Build the target's sink and drain its messages (one I/O step)."""
    from canonical_model.store.database import create_engine, database_errors

    config, secrets = load_sink_config(config_path)
    sink = build_sink(sink_connector, config)
    engine = create_engine(database_url)
    try:
        with database_errors(engine.url):
            return drain_target(
                engine, target, sink, limit=limit, lease=timedelta(seconds=lease_seconds), secrets=secrets
            )
    finally:
        engine.dispose()
        close = getattr(sink, "close", None)
        if callable(close):
            close()


def outbox_markdown(summaries: list[dict[str, Any]]) -> str:
    """Counts per target, then one row per order: sent (ERP number), retrying or dead (reason)."""
    counts = [[s["target"], len(s["sent"]), len(s["retrying"]), len(s["dead"])] for s in summaries]
    text = markdown_table("Outbox", ["target", "sent", "failed (retrying)", "dead"], counts)
    rows = [
        [s["target"], order, outcome, detail]
        for s in summaries
        for outcome, key in (("sent", "sent"), ("retrying", "retrying"), ("dead", "dead"))
        for order, detail in s[key].items()
    ]
    if rows:
        text += "\n" + markdown_table("Orders", ["target", "order", "outcome", "ERP number / reason"], rows)
    return text


@flow(name="outbox", validate_parameters=True)
def outbox_draining(
    targets: dict[str, str],
    sinks: dict[str, str] | None = None,
    database_url: str | None = None,
    limit: int = 100,
    lease_seconds: int = 600,
) -> dict[str, Any]:
    """Push approved orders to the ERP: ``targets`` maps each outbox target to its sink config file.

    ``sinks`` names the sink connector of a target when it is not ``<target>-orders``. Fails
    the run (after every target drained) when an order went ``dead``: a person must look.
    """
    summaries = [
        drain_target_step(target, sink_connector_for(target, sinks), path, database_url, limit, lease_seconds)
        for target, path in targets.items()
    ]
    create_markdown_artifact(markdown=outbox_markdown(summaries), key="outbox", description="dmshub outbox")
    totals = {k: sum(len(s[k]) for s in summaries) for k in ("sent", "retrying", "dead")}
    get_run_logger().info("outbox: %s", totals)
    if totals["dead"]:
        raise RuntimeError(
            f"{totals['dead']} order(s) refused by the ERP: "
            + "; ".join(f"{order}: {why}" for s in summaries for order, why in s["dead"].items())
        )
    return {"totals": totals, "targets": summaries}
