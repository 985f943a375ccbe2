"""``dmshub deploy``: register every deployment of ``deployments/prefect.yaml`` with the Prefect API.

It does what an operator would do by hand, in order: check the API answers, create the
process work pool(s) the deployments name if missing, create a concurrency limit of 1 on
``connector:<name>`` for each connector a deployment syncs (so two syncs of one connector
queue instead of overlapping), then run ``prefect deploy --all`` from the repository root,
where the file's entrypoints are relative to.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from canonical_model.errors import ConfigError
from flows.cli.context import state_of

__all__ = ["PREFECT_FILE", "ROOT", "deploy", "deployment_specs"]

ROOT = Path(__file__).resolve().parents[2]
PREFECT_FILE = ROOT / "deployments" / "prefect.yaml"


def deploy(
    ctx: typer.Context,
    pool: Annotated[
        str | None, typer.Option("--pool", help="Work pool for every deployment (default: as in the file).")
    ] = None,
    prefect_file: Annotated[
        Path, typer.Option("--prefect-file", help="Deployments file (entrypoints relative to the repo root).")
    ] = PREFECT_FILE,
) -> None:
    """Register the deployments (schedules, parameters, work pool) with the Prefect API.

    Needs a reachable API (PREFECT_API_URL or the active Prefect profile). Workers started
    with `prefect worker start --pool dmshub-process` then run them on schedule.
    """
    console = state_of(ctx).console
    spec = _load(prefect_file)
    api_url = _reachable_api()
    if pool:
        for deployment in spec["deployments"]:
            deployment.setdefault("work_pool", {})["name"] = pool
    pools = sorted({str(d["work_pool"]["name"]) for d in spec["deployments"] if d.get("work_pool")})
    connectors = sorted(
        {
            str(value)
            for d in spec["deployments"]
            for key, value in (d.get("parameters") or {}).items()
            if value and (key == "connector" or key.endswith("_connector"))
        }
    )
    created = _ensure_pools_and_limits(pools, connectors)
    for what in created:
        console.print(f"created {what}", highlight=False)
    with tempfile.TemporaryDirectory(prefix="dmshub-deploy-") as tmp:
        effective = Path(tmp) / "prefect.yaml"
        effective.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
        console.print(f"deploying {len(spec['deployments'])} deployment(s) to {api_url}", highlight=False)
        result = subprocess.run(  # noqa: S603 - our own interpreter running the prefect CLI
            [
                sys.executable,
                "-m",
                "prefect",
                "--no-prompt",
                "deploy",
                "--all",
                "--prefect-file",
                str(effective),
            ],
            cwd=ROOT,
            check=False,
        )
    if result.returncode != 0:
        raise typer.Exit(1)


def deployment_specs(prefect_file: Path = PREFECT_FILE) -> list[dict[str, Any]]:
    """The deployments the file defines (as plain mappings)."""
    deployments: list[dict[str, Any]] = _load(prefect_file)["deployments"]
    return deployments


def _load(prefect_file: Path) -> dict[str, Any]:
    try:
        spec = yaml.safe_load(prefect_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"deployments file {prefect_file} not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{prefect_file} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("deployments"), list):
        raise ConfigError(f"{prefect_file} has no `deployments:` list")
    return spec


def _reachable_api() -> str:
    """The configured Prefect API URL, after a health check; a one-line ``ConfigError`` otherwise."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    api_url = PREFECT_API_URL.value()
    if not api_url:
        raise ConfigError(
            "no Prefect API configured: start one (`prefect server start`) and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    try:
        httpx.get(f"{api_url.rstrip('/')}/health", timeout=10).raise_for_status()
    except httpx.HTTPError as exc:
        raise ConfigError(f"Prefect API at {api_url} is unreachable ({type(exc).__name__})") from None
    return str(api_url)


def _ensure_pools_and_limits(pools: list[str], connectors: list[str]) -> list[str]:
    """Create the missing process work pools and ``connector:<name>`` limits; what was created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    from flows.sync_flow import connector_tag

    created: list[str] = []
    with get_client(sync_client=True) as client:
        for name in pools:
            try:
                client.read_work_pool(name)
            except ObjectNotFound:
                client.create_work_pool(
                    WorkPoolCreate(
                        name=name,
                        type="process",
                        base_job_template=ProcessWorker.get_default_base_job_template(),
                    )
                )
                created.append(f"process work pool {name!r}")
        for connector in connectors:
            limit = f"tag:{connector_tag(connector)}"
            try:
                client.read_global_concurrency_limit_by_name(limit)
            except ObjectNotFound:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=limit, limit=1))
                created.append(f"concurrency limit {limit!r} = 1")
    return created
