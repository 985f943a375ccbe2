"""Under CI an unreachable PostgreSQL fails the suite; locally it skips the PostgreSQL half."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE_TEST = """
import sqlalchemy as sa

def test_uses_the_store(engine):
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
"""


def run_probe(tmp_path: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE_TEST, encoding="utf-8")
    (tmp_path / "conftest.py").write_text(
        (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(
        {"PYTHONPATH": str(ROOT), "DMSHUB_TEST_PG_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", str(probe)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_unreachable_postgresql_fails_under_ci(tmp_path: Path) -> None:
    result = run_probe(tmp_path, ci=True)
    assert result.returncode != 0
    assert "1 passed, 1 error" in result.stdout  # pytest.fail in the fixture: an error, not a skip
    assert "CI=true: PostgreSQL is required" in result.stdout


def test_unreachable_postgresql_skips_locally(tmp_path: Path) -> None:
    if os.environ.get("CI"):
        pytest.skip("this half is about runs outside CI")
    result = run_probe(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 skipped" in result.stdout
