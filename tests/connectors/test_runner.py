"""``python -m connectors.NAME``: Airbyte protocol lines out, secrets never, state honoured."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from connectors.runner import run_source_cli
from connectors.sample.source import SampleSource
from connectors.sample.spec import SampleConfig

CANARY_KEY = "sk_sample_canary_93f1c0a7"
WRONG_KEY = "sk_wrong_canary_4d2e8b61"
CATALOG = {
    "streams": [
        {
            "stream": {
                "name": "items",
                "json_schema": {},
                "supported_sync_modes": ["full_refresh", "incremental"],
            },
            "sync_mode": "incremental",
            "destination_sync_mode": "append_dedup",
            "cursor_field": ["updated_at"],
        }
    ]
}


def write(path: Path, payload: Any) -> str:
    path.write_text(json.dumps(payload))
    return str(path)


def run(source: Any, *argv: str) -> tuple[int, list[dict[str, Any]], str]:
    out = io.StringIO()
    code = run_source_cli(source, list(argv), stdout=out)
    text = out.getvalue()
    return code, [json.loads(line) for line in text.splitlines()], text


def of_type(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [message for message in messages if message["type"] == kind]


def test_spec_prints_one_spec_message_with_the_key_marked_secret() -> None:
    code, messages, _ = run(SampleSource, "spec")
    assert code == 0
    [spec] = of_type(messages, "SPEC")
    assert spec["spec"]["connectionSpecification"]["properties"]["api_key"]["airbyte_secret"] is True


def test_read_with_the_emitted_state_yields_nothing_new(tmp_path: Path) -> None:
    config = write(tmp_path / "config.json", {"count": 5, "api_key": CANARY_KEY, "page_size": 2})
    catalog = write(tmp_path / "catalog.json", CATALOG)
    code, messages, text = run(SampleSource, "read", "--config", config, "--catalog", catalog)
    assert code == 0
    assert [m["record"]["data"]["id"] for m in of_type(messages, "RECORD")] == [1, 2, 3, 4, 5]
    assert CANARY_KEY not in text
    state = [m["state"] for m in of_type(messages, "STATE")][-1]
    assert state["stream"]["stream_state"] == {
        "updated_at": "2024-01-01T00:03:00+00:00",
        "boundary_keys": ["5"],
    }

    state_file = write(tmp_path / "state.json", [{"type": "STREAM", "stream": state["stream"]}])
    code, messages, _ = run(
        SampleSource, "read", "--config", config, "--catalog", catalog, "--state", state_file
    )
    assert code == 0
    assert of_type(messages, "RECORD") == []

    grown = write(tmp_path / "grown.json", {"count": 7, "api_key": CANARY_KEY})
    code, messages, _ = run(
        SampleSource, "read", "--config", grown, "--catalog", catalog, "--state", state_file
    )
    assert [m["record"]["data"]["id"] for m in of_type(messages, "RECORD")] == [6, 7]


def test_check_with_a_refused_key_fails_cleanly_without_printing_it(tmp_path: Path) -> None:
    config = write(tmp_path / "config.json", {"count": 1, "api_key": WRONG_KEY})
    code, messages, text = run(SampleSource, "check", "--config", config)
    assert code == 0  # a failed check is an answer, not a crash
    [status] = of_type(messages, "CONNECTION_STATUS")
    assert status["connectionStatus"] == {
        "status": "FAILED",
        "message": "sample: API key rejected (HTTP 401)",
    }
    assert WRONG_KEY not in text


def test_a_failing_read_exits_1_with_a_trace_and_no_secret(tmp_path: Path) -> None:
    config = write(tmp_path / "config.json", {"count": 1, "api_key": WRONG_KEY})
    catalog = write(tmp_path / "catalog.json", CATALOG)
    code, messages, text = run(SampleSource, "read", "--config", config, "--catalog", catalog)
    assert code == 1
    errors = [m["trace"]["error"] for m in of_type(messages, "TRACE") if m["trace"]["type"] == "ERROR"]
    assert any(error["message"] == "sample: API key rejected (HTTP 401)" for error in errors)
    assert WRONG_KEY not in text


class CarelessSource(SampleSource):
    """A connector that logs and raises with its key in the text: the runner still masks it."""

    def check_config(self, config: SampleConfig) -> None:
        key = config.api_key.get_secret_value()
        logging.getLogger("connectors.careless").warning("connecting with key %s", key)
        raise RuntimeError(f"could not use {key}")


def test_secrets_logged_or_raised_by_a_connector_are_masked(tmp_path: Path) -> None:
    config = write(tmp_path / "config.json", {"count": 1, "api_key": CANARY_KEY})
    code, messages, text = run(CarelessSource, "check", "--config", config)
    assert code == 1
    assert CANARY_KEY not in text
    assert any("connecting with key" in m["log"]["message"] for m in of_type(messages, "LOG"))


def test_running_a_connector_restores_logging_the_excepthook_and_the_environment(tmp_path: Path) -> None:
    root = logging.getLogger()
    handlers, level, hook, environ = list(root.handlers), root.level, sys.excepthook, dict(os.environ)
    run(SampleSource, "spec")
    assert root.handlers == handlers
    assert root.level == level
    assert sys.excepthook is hook
    assert dict(os.environ) == environ


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_source_cli(SampleSource, [], stdout=io.StringIO()) == 2
    assert run_source_cli(SampleSource, ["read"], stdout=io.StringIO()) == 2
    assert "usage" in capsys.readouterr().err


def test_python_dash_m_runs_the_sample_connector(tmp_path: Path) -> None:
    config = write(tmp_path / "config.json", {"count": 2, "api_key": CANARY_KEY})
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "connectors.sample", "check", "--config", config],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    assert of_type(messages, "CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED"
    assert CANARY_KEY not in result.stdout + result.stderr
