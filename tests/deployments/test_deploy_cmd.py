"""``dmshub deploy`` without a reachable Prefect API (or its file) stops at once: one line, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flows.test_cli_run import dmshub_run


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no Prefect API configured: start one (`prefect server start`) and set PREFECT_API_URL="),
        (
            {"PREFECT_API_URL": "http://127.0.0.1:9/api"},
            "Prefect API at http://127.0.0.1:9/api is unreachable",
        ),
    ],
    ids=["unset", "unreachable"],
)
def test_deploy_without_an_api_is_one_line_and_exit_code_2(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = dmshub_run("deploy", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_missing_deployments_file_is_one_line(tmp_path: Path) -> None:
    result = dmshub_run("deploy", "--prefect-file", str(tmp_path / "nope.yaml"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"deployments file {tmp_path / 'nope.yaml'} not found" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
