"""The sync-facing commands through the real CLI: sync, quarantine list/replay, mapping check, connector."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.flows.sync_helpers import API_KEY, MAPPINGS
from tests.flows.test_cli_errors import dmshub


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(MAPPINGS, tmp_path / "m")
    (tmp_path / "c.yaml").write_text(
        "count: 140\npage_size: 30\napi_key: {$env: SAMPLE_KEY}\n", encoding="utf-8"
    )
    assert dmshub("db", "upgrade", cwd=tmp_path).returncode == 0
    return tmp_path


def run(workdir: Path, *args: str) -> tuple[int, str, str]:
    result = dmshub(*args, cwd=workdir, env={"SAMPLE_KEY": API_KEY})
    return result.returncode, result.stdout, result.stderr


def test_sync_then_fix_the_mapping_and_replay_the_quarantine(workdir: Path) -> None:
    code, out, err = run(workdir, "sync", "sample", "-c", "c.yaml", "--mappings", "m", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["status"] == "succeeded" and summary["streams"][0]["reconciles"] is True
    rejected = summary["totals"]["rejected"]
    assert rejected == sum(1 for i in range(1, 141) if i % 7 == 6)

    code, out, _ = run(workdir, "quarantine", "list", "--connector", "sample", "--json", "--limit", "500")
    listed = json.loads(out)
    assert len(listed) == rejected and {r["rule"] for r in listed} == {"check:qty_six_is_a_known_bad_reading"}

    code, out, _ = run(workdir, "quarantine", "replay", "--connector", "sample", "--mappings", "m", "--json")
    assert code == 1 and json.loads(out)["still_failing"] == rejected  # nothing fixed yet: all stay open

    spec = workdir / "m" / "sample" / "items.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("on_hand != 6", "on_hand != 99"), encoding="utf-8"
    )
    code, out, _ = run(workdir, "quarantine", "replay", "--connector", "sample", "--mappings", "m", "--json")
    assert code == 0 and json.loads(out) == {
        "replayed": rejected,
        "still_failing": 0,
        "by_stream": {"sample/items": {"replayed": rejected, "still_failing": 0}},
    }
    code, out, _ = run(workdir, "quarantine", "list", "--connector", "sample", "--json")
    assert json.loads(out) == []  # replayed rows left the open list


def test_mapping_check_names_file_line_and_field_of_a_bad_spec(workdir: Path) -> None:
    spec = workdir / "m" / "sample" / "items.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("cast: decimal", "cast: decimel"), encoding="utf-8"
    )
    code, out, _ = run(workdir, "mapping", "check", "sample", "--mappings", "m", "--json")
    assert code == 1
    [item] = json.loads(out)
    assert "items.yaml:" in item["problems"][0] and "on_hand" in item["problems"][0]
    assert "decimel" in item["problems"][0]


def test_connector_runs_as_an_airbyte_process_without_leaking_the_key(workdir: Path) -> None:
    code, out, _ = run(workdir, "connector", "sample", "spec")
    spec = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and spec["type"] == "SPEC"
    assert spec["spec"]["connectionSpecification"]["properties"]["api_key"]["airbyte_secret"] is True
    (workdir / "bad.yaml").write_text(f"count: 3\napi_key: wrong-{API_KEY}\n", encoding="utf-8")
    code, out, err = run(workdir, "connector", "sample", "check", "--config", "bad.yaml")
    status = [json.loads(line) for line in out.splitlines() if '"CONNECTION_STATUS"' in line]
    assert status and status[0]["connectionStatus"]["status"] == "FAILED"
    assert API_KEY not in out + err


def test_sync_of_an_unknown_connector_lists_the_known_ones(workdir: Path) -> None:
    code, _, err = run(workdir, "sync", "nope", "-c", "c.yaml")
    assert code == 2 and "sample" in err and "Traceback" not in err
