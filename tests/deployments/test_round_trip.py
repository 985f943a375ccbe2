"""A real deployment round trip: Prefect server and process worker as subprocesses, `dmshub deploy`,
then one run of the ``sync/adhoc`` deployment, which must complete and leave its artifact.

Everything Prefect runs here has its own ``PREFECT_HOME`` and SQLite database in a temporary
folder, on a free port, with nothing inherited from the environment's Prefect settings (nor
from the session's test harness). The server's scheduler is off, so the scheduled
deployments register but never run; the one run is triggered by hand.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from canonical_model.store.database import create_engine
from canonical_model.store.migrations import upgrade
from flows.cli.deploy_cmd import deployment_specs
from tests.flows.sync_helpers import API_KEY, MAPPINGS

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 180  # two busy cores: the server alone can take 40 s
RUN_SECONDS = 300
EXPECTED_REJECTS = sum(1 for i in range(1, 61) if i % 7 == 6)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _isolated_env(tmp: Path, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "DMSHUB_DATABASE_URL"}
    env.update(
        {
            "PREFECT_HOME": str(tmp / "prefect-home"),
            "PREFECT_PROFILES_PATH": str(tmp / "prefect-home" / "profiles.toml"),
            "PREFECT_API_URL": api_url,
            "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{tmp}/prefect.db",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
            "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "DMSHUB_HOME": str(ROOT),
            "SAMPLE_KEY": API_KEY,
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


@contextmanager
def _background(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A subprocess in its own process group, killed with all its children afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _wait_healthy(api_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"prefect server exited:\n{_tail(log)}"
        try:
            if httpx.get(f"{api_url}/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"prefect server not healthy after {STARTUP_SECONDS}s:\n{_tail(log)}")


def _dmshub(*args: str, env: dict[str, str], log: Path) -> None:
    with log.open("wb") as out:
        result = subprocess.run(
            [sys.executable, "-c", "import sys; from flows.cli import main; sys.exit(main())", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=600,
            check=False,
        )
    assert result.returncode == 0, f"dmshub {' '.join(args)} failed:\n{_tail(log)}"


def test_deploy_then_a_worker_runs_the_sync_deployment_to_completion(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = _isolated_env(tmp_path, api_url)
    store = f"sqlite:///{tmp_path}/hub.sqlite"
    upgrade(create_engine(store))
    config = tmp_path / "sample.yaml"
    config.write_text("count: 60\npage_size: 20\napi_key: {$env: SAMPLE_KEY}\n", encoding="utf-8")
    server_log, worker_log = tmp_path / "server.log", tmp_path / "worker.log"

    with _background(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env,
        server_log,
    ) as server:
        _wait_healthy(api_url, server, server_log)
        _dmshub("deploy", env=env, log=tmp_path / "deploy.log")
        with (
            _background(
                [
                    sys.executable,
                    "-m",
                    "prefect",
                    "worker",
                    "start",
                    "--pool",
                    "dmshub-process",
                    "--type",
                    "process",
                ],
                env,
                worker_log,
            ),
            temporary_settings(updates={PREFECT_API_URL: api_url}),
            get_client(sync_client=True) as client,
        ):
            deployed = {f"{client.read_flow(d.flow_id).name}/{d.name}": d for d in client.read_deployments()}
            run = client.create_flow_run_from_deployment(
                deployed["sync/adhoc"].id,
                parameters={
                    "connector": "sample",
                    "config_path": str(config),
                    "database_url": store,
                    "mapping_dirs": [str(MAPPINGS)],
                },
            )
            deadline = time.monotonic() + RUN_SECONDS
            while True:
                state = client.read_flow_run(run.id).state
                if state is not None and state.is_final():
                    break
                assert time.monotonic() < deadline, (
                    f"run still {state} after {RUN_SECONDS}s:\n{_tail(worker_log)}"
                )
                time.sleep(2)
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
            )
            limits = {
                name: client.read_global_concurrency_limit_by_name(name).limit
                for name in ("tag:connector:sap-rfc", "tag:connector:wms-sftp")
            }

    assert state.type.value == "COMPLETED", f"{state}:\n{_tail(worker_log)}"
    assert [a.key for a in artifacts] == ["sync-sample"]
    markdown = str(artifacts[0].data)
    assert (
        f"| items | stock_levels | succeeded | 60 | {60 - EXPECTED_REJECTS} | {EXPECTED_REJECTS} |"
        in markdown
    )
    assert API_KEY not in markdown

    # Every deployment of the file was registered with its schedules in China time and its
    # one-run-at-a-time limit; each scheduled connector got its concurrency limit of one.
    by_name = {d.name: d for d in deployed.values()}
    specs = deployment_specs()
    assert sorted(by_name) == sorted(spec["name"] for spec in specs)
    for spec in specs:
        deployment = by_name[spec["name"]]
        assert len(deployment.schedules) == len(spec.get("schedules", []))
        for schedule in deployment.schedules:
            assert getattr(schedule.schedule, "timezone", None) == "Asia/Shanghai", spec["name"]
        if "concurrency_limit" in spec:
            assert deployment.global_concurrency_limit is not None
            assert deployment.global_concurrency_limit.limit == spec["concurrency_limit"]["limit"]
            assert deployment.concurrency_options is not None
            strategy = deployment.concurrency_options.collision_strategy
            assert strategy.value == spec["concurrency_limit"]["collision_strategy"]
    assert limits == {"tag:connector:sap-rfc": 1, "tag:connector:wms-sftp": 1}
