"""The generic ``sync`` Prefect flow: one task per stream, one artifact per run.

The flow is a thin orchestrator. Each stream is one task (one I/O step) running the sync
engine for that stream. Task retries apply only when the store was unreachable: HTTP
retries already happen inside the connectors (tenacity), and stacking a second layer on
top would multiply waits. A stream already being synced elsewhere fails fast with a
clear message (the engine's stream lock), never interleaving with it. Each stream task is
tagged ``connector:<name>``: with a Prefect concurrency limit on that tag (``dmshub deploy``
creates one of 1 per scheduled connector) a second sync of the connector waits for the
first to finish instead of being refused.

Configs are files whose secrets are references (``{$secret: block-name}``) resolved from
Prefect Secret blocks inside the task, so no secret is ever a flow parameter, a task
result or part of an artifact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.artifacts import sync_markdown
from flows.retrying import RETRY_DELAYS, store_unreachable

__all__ = ["connector_tag", "sync", "sync_stream"]


def connector_tag(connector: str) -> str:
    """The task tag whose Prefect concurrency limit serialises the syncs of ``connector``."""
    return f"connector:{connector}"


@task(name="sync-stream", retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=store_unreachable)
def sync_stream(
    connector: str,
    config_path: str,
    stream: str | None,
    full_refresh: bool = False,
    database_url: str | None = None,
    mapping_dirs: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Sync one stream (or all, when ``stream`` is None); returns the run summary (no secrets)."""
    from canonical_model.store.database import create_engine
    from flows.sync.config import load_config
    from flows.sync.engine import SyncRequest, run_sync

    engine = create_engine(database_url)
    try:
        result = run_sync(
            engine,
            SyncRequest(
                connector=connector,
                config=load_config(config_path),
                streams=[stream] if stream else None,
                full_refresh=full_refresh,
                mapping_dirs=tuple(Path(d) for d in mapping_dirs),
                trigger="prefect",
            ),
        )
    finally:
        engine.dispose()
    summary = result.as_dict()
    for entry in summary["streams"]:
        entry["run_id"] = result.run_id
    return summary


@flow(name="sync", validate_parameters=True)
def sync(
    connector: str,
    config_path: str,
    streams: list[str] | None = None,
    full_refresh: bool = False,
    database_url: str | None = None,
    mapping_dirs: list[str] | None = None,
) -> dict[str, Any]:
    """Sync ``streams`` (default: all) of ``connector`` into the canonical store.

    Leaves a markdown artifact ``sync-<connector>`` with the counts per stream; fails the
    flow run (after syncing every stream) if any stream failed.
    """
    logger = get_run_logger()
    names: list[str | None] = list(streams) if streams else [None]
    stream_task = sync_stream.with_options(tags={connector_tag(connector)})
    summaries = [
        stream_task(connector, config_path, name, full_refresh, database_url, tuple(mapping_dirs or ()))
        for name in names
    ]
    entries = [entry for summary in summaries for entry in summary["streams"]]
    create_markdown_artifact(
        markdown=sync_markdown(connector, entries),
        key=f"sync-{connector}".lower().replace("_", "-"),
        description=f"dmshub sync {connector}",
    )
    failed = [e for e in entries if e["status"] != "succeeded"]
    totals = {k: sum(e[k] for e in entries) for k in ("read", "loaded", "rejected", "deleted")}
    logger.info("sync %s: %s", connector, totals)
    if failed:
        raise RuntimeError(
            f"{len(failed)} of {len(entries)} stream(s) failed: "
            + "; ".join(f"{e['stream']}: {e['error']}" for e in failed)
        )
    return {"connector": connector, "totals": totals, "streams": entries}
