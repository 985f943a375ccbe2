"""``dmshub run FLOW``: run a catalogued Prefect flow here, in this process, and show its artifact.

The run is a real Prefect flow run: against the Prefect API configured in the profile or
``PREFECT_API_URL`` when there is one (it must answer, or the command stops at once), or
else against a temporary local API Prefect starts for the run and stops afterwards. The
table printed at the end is the run's own markdown artifact read back from that API —
exactly what the Prefect UI shows for the run, not a second rendering of the result.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from canonical_model.errors import ConfigError, HubError
from canonical_model.store.database import ENV_VAR, create_engine, database_errors, resolve_url
from canonical_model.store.migrations import check_migrated
from flows.catalog import CATALOG, get_flow
from flows.cli.context import state_of

if TYPE_CHECKING:
    from prefect import Flow

__all__ = ["parse_params", "run"]

# A temporary API's start-up takes ~20 s on two busy cores; Prefect's default gives up at 20.
_EPHEMERAL_STARTUP_SECONDS = 90


def run(
    ctx: typer.Context,
    flow_name: Annotated[str, typer.Argument(metavar="FLOW", help="Flow name (see --list).")] = "",
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Flow parameter NAME=VALUE (repeatable); JSON values allowed."),
    ] = None,
    list_flows: Annotated[bool, typer.Option("--list", help="List the runnable flows and exit.")] = False,
) -> None:
    """Run FLOW locally as a Prefect flow run, with a progress bar, then print its artifact table.

    Parameters are NAME=VALUE; a value is read as JSON when the parameter is not a string
    (e.g. -p streams='["items"]' -p full_refresh=true). Exit code 1 if the run failed.
    """
    console = state_of(ctx).console
    if list_flows or not flow_name:
        for entry in CATALOG.values():
            console.print(f"[bold]{entry.name}[/bold]  {entry.description}", highlight=False)
        return
    entry = get_flow(flow_name)
    given = parse_params(param or [])
    flow = entry.load()
    params = _bind(flow, {**entry.defaults, **given})
    database_url = params.get("database_url") or state_of(ctx).database_url
    if "database_url" in inspect.signature(flow.fn).parameters:
        _check_store(database_url)

    with _prefect_api(), _store_url(state_of(ctx).database_url):
        with _RunDisplay(console, entry.name):
            state: Any = flow(**params, return_state=True)
        flow_run_id = state.state_details.flow_run_id
        for markdown in _markdown_artifacts(flow_run_id) if flow_run_id else []:
            console.print(Markdown(markdown))
    if state.is_completed():
        return
    try:
        state.result()
    except HubError:
        raise  # a user mistake (bad config, unknown stream): one line, exit 2
    except Exception as exc:  # noqa: BLE001 - the run failed; say how in one line
        first_line = next(iter(str(exc).splitlines()), "")
        state_of(ctx).err.print(
            f"[red]flow run failed[/red]: {type(exc).__name__}: {first_line}",
            highlight=False,
            soft_wrap=True,
        )
    else:
        state_of(ctx).err.print(f"[red]flow run ended {state.name}[/red]", highlight=False)
    raise typer.Exit(1)


def parse_params(pairs: list[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``; a pair without ``=`` is a ``ConfigError``."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--param {pair!r}: expected NAME=VALUE")
        params[name.strip()] = value
    return params


def _bind(flow: Flow[..., Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` checked against the flow's signature, non-string values decoded from JSON."""
    signature = inspect.signature(flow.fn)
    unknown = sorted(set(given) - set(signature.parameters))
    if unknown:
        raise ConfigError(
            f"flow {flow.name!r} has no parameter {', '.join(unknown)}; "
            f"its parameters: {', '.join(signature.parameters)}"
        )
    missing = [name for name, p in signature.parameters.items() if p.default is p.empty and name not in given]
    if missing:
        raise ConfigError(f"flow {flow.name!r} needs {', '.join(f'--param {name}=…' for name in missing)}")
    properties = flow.parameters.properties
    return {name: _decode(name, value, properties.get(name, {})) for name, value in given.items()}


def _decode(name: str, value: Any, schema: Mapping[str, Any]) -> Any:
    if not isinstance(value, str) or schema.get("type") == "string":
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value  # let the flow's own validation name the expected type


def _check_store(url: str | None) -> None:
    """Fail in one line now rather than after the flow's store-unreachable retries."""
    resolved = resolve_url(url)
    engine = create_engine(resolved)
    try:
        with database_errors(resolved):
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            check_migrated(engine)
    finally:
        engine.dispose()


@contextmanager
def _store_url(url: str | None) -> Iterator[None]:
    """Flows running in this process find ``--database-url`` where they look: the environment.

    It is not passed as a flow parameter, which the Prefect API would keep with the run.
    """
    if url is None:
        yield
        return
    before = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = before


@contextmanager
def _prefect_api() -> Iterator[None]:
    """The configured Prefect API, proven reachable, or a temporary local one for this run."""
    import httpx
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_ALLOW_EPHEMERAL_MODE,
        PREFECT_SERVER_ANALYTICS_ENABLED,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    api_url = PREFECT_API_URL.value()
    if api_url:
        try:
            httpx.get(f"{api_url.rstrip('/')}/health", timeout=10).raise_for_status()
        except httpx.HTTPError as exc:
            raise ConfigError(
                f"Prefect API at {api_url} is unreachable ({type(exc).__name__}); start it, "
                "or unset PREFECT_API_URL to run against a temporary local API"
            ) from None
        yield
        return
    with temporary_settings(
        updates={
            PREFECT_SERVER_ALLOW_EPHEMERAL_MODE: True,
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: _EPHEMERAL_STARTUP_SECONDS,
            PREFECT_SERVER_ANALYTICS_ENABLED: False,
        }
    ):
        yield


def _markdown_artifacts(flow_run_id: UUID) -> list[str]:
    """The markdown artifacts the flow run left, oldest first."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])),
            sort=ArtifactSort.CREATED_DESC,
        )
    return [str(a.data) for a in reversed(artifacts) if a.type == "markdown" and a.data]


class _RunDisplay(logging.Handler):
    """A progress bar naming the run's current step, with its log lines printed above it.

    While the run lasts it stands in for Prefect's console handler, so log lines and the
    bar do not overwrite each other; only a message's first line is shown — a failed
    task's traceback stays in the Prefect API's logs.
    """

    def __init__(self, console: Console, flow_name: str) -> None:
        super().__init__(level=logging.INFO)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task(f"{flow_name}: starting", total=None)
        self._flow_name = flow_name
        self._replaced: list[logging.Handler] = []

    def __enter__(self) -> _RunDisplay:
        from prefect.logging.handlers import PrefectConsoleHandler

        root = logging.getLogger()
        self._replaced = [h for h in root.handlers if isinstance(h, PrefectConsoleHandler)]
        for handler in self._replaced:
            root.removeHandler(handler)
        root.addHandler(self)
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()
        root = logging.getLogger()
        root.removeHandler(self)
        for handler in self._replaced:
            root.addHandler(handler)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            lines = record.getMessage().splitlines()
            message = lines[0] if lines else ""
            who = getattr(record, "task_run_name", None) or getattr(record, "flow_run_name", None)
            if who:
                self._progress.update(self._task, description=f"{self._flow_name} · {who}: {message}")
            style = {"WARNING": "yellow", "ERROR": "red", "CRITICAL": "red"}.get(record.levelname, "dim")
            self._progress.console.print(
                Text.assemble((f"{record.levelname.lower():8}", style), f"{who or record.name}: {message}"),
                highlight=False,
                soft_wrap=True,
            )
        except Exception:  # noqa: BLE001 - logging must never break the run
            self.handleError(record)
