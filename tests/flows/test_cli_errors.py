"""User mistakes get one line on stderr and exit code 2 — never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dmshub(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DMSHUB_DATABASE_URL"}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", "import sys; from flows.cli import main; sys.exit(main())", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u:hunter2@h/db", "unsupported database 'mysql'"),
        ("not a url", "bad database URL"),
        ("postgresql://u:hunter2@127.0.0.1:1/db", "cannot reach postgresql+psycopg://u:***@127.0.0.1:1/db"),
    ],
)
def test_a_bad_database_url_is_one_line_without_traceback_or_password(
    url: str, message: str, tmp_path: Path
) -> None:
    result = dmshub("--database-url", url, "db", "status", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unmigrated_store_says_which_command_to_run(tmp_path: Path) -> None:
    result = dmshub("--database-url", f"sqlite:///{tmp_path}/s.sqlite", "quarantine", "list", cwd=tmp_path)
    assert result.returncode == 2
    assert "run `dmshub db upgrade`" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_then_status_reports_head_as_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.sqlite"
    assert dmshub("--database-url", url, "db", "upgrade", cwd=tmp_path).returncode == 0
    result = dmshub("--database-url", url, "db", "status", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["up_to_date"] is True and status["current"] == status["head"]


def test_default_store_is_an_embedded_sqlite_file_under_dot_dmshub(tmp_path: Path) -> None:
    result = dmshub("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".dmshub" / "dmshub.sqlite").is_file()


def test_showing_a_missing_quarantine_record_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.sqlite"
    dmshub("--database-url", url, "db", "upgrade", cwd=tmp_path)
    result = dmshub("--database-url", url, "quarantine", "show", "42", cwd=tmp_path)
    assert result.returncode == 2
    assert "no quarantined record with id 42" in result.stderr
