"""``dmshub run``: a catalogued flow runs here as a real Prefect flow run, with no Prefect server
running, and its artifact table is printed; mistakes are one line and exit code 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from canonical_model.store.database import create_engine
from canonical_model.store.migrations import upgrade
from canonical_model.tables import stock_levels
from tests.flows.sync_helpers import API_KEY, MAPPINGS

ROOT = Path(__file__).resolve().parents[2]
REJECTED = sum(1 for i in range(1, 141) if i % 7 == 6)


def dmshub_run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI with a Prefect home of its own and no Prefect API configured (nor a store URL)."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "DMSHUB_DATABASE_URL"
    }
    environ.update({"PREFECT_HOME": str(cwd / "prefect-home"), "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", "import sys; from flows.cli import main; sys.exit(main())", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=environ,
    )


def test_run_syncs_through_a_temporary_prefect_api_and_prints_the_artifact_table(
    database_url: str, tmp_path: Path
) -> None:
    engine = create_engine(database_url)
    upgrade(engine)
    (tmp_path / "sample.yaml").write_text(
        "count: 140\npage_size: 30\napi_key: {$env: SAMPLE_KEY}\n", encoding="utf-8"
    )

    result = dmshub_run(
        "--database-url",
        database_url,
        "run",
        "sync",
        "--param",
        "connector=sample",
        "--param",
        "config_path=sample.yaml",
        "--param",
        f'mapping_dirs=["{MAPPINGS}"]',
        cwd=tmp_path,
        env={"SAMPLE_KEY": API_KEY},
    )

    assert result.returncode == 0, result.stderr
    assert re.search(
        rf"items\s+stock_levels\s+succeeded\s+140\s+{140 - REJECTED}\s+{REJECTED}\s", result.stdout
    )
    assert "dmshub quarantine list --connector sample --stream items" in result.stdout
    assert API_KEY not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    with engine.connect() as conn:  # --database-url reached the flow
        assert conn.execute(sa.select(sa.func.count()).select_from(stock_levels)).scalar() == 140 - REJECTED
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("run", "nope"), {}, "unknown flow 'nope'; known flows: "),
        (("run", "sync", "-p", "connector=sample"), {}, "flow 'sync' needs --param config_path=…"),
        (("run", "sync", "-p", "nonsense"), {}, "--param 'nonsense': expected NAME=VALUE"),
        (
            ("run", "dealer-health", "-p", "colour=red"),
            {},
            "flow 'dealer-health' has no parameter colour",
        ),
        (
            ("run", "dealer-health"),
            {"PREFECT_API_URL": "http://127.0.0.1:9/api"},
            "Prefect API at http://127.0.0.1:9/api is unreachable",
        ),
    ],
)
def test_a_mistake_is_one_line_and_exit_code_2(
    args: tuple[str, ...], env: dict[str, str], message: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/hub.sqlite"
    upgrade(create_engine(url))
    result = dmshub_run("--database-url", url, *args, cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
