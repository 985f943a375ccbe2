"""One conformance suite over every registered source connector.

For each: the spec is a valid JSON schema with its secrets marked; check fails cleanly
(one line, no secret) on bad credentials; the hub's batch path and Airbyte's record path
read the same rows; reading again from the final state yields nothing; and the canary
secret appears in no Airbyte message, log line or error.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from connectors.contract import HubSource
from connectors.redaction import is_secret_name
from connectors.registry import get_connector, list_connectors
from tests.connectors.conformance_cases import CANARY, CASES

_COMPOSITE = {"properties", "oneOf", "anyOf", "allOf", "$ref"}  # containers: their leaves are checked
SOURCES = sorted(info.name for info in list_connectors() if info.kind == "source")


def make_source(name: str) -> HubSource[Any]:
    source = get_connector(name).load_factory()(**CASES[name].source_kwargs())
    assert isinstance(source, HubSource)
    return source


def test_every_registered_source_has_a_conformance_case() -> None:
    assert SOURCES, "no source connectors registered"
    assert sorted(set(SOURCES) - set(CASES)) == []


@pytest.mark.parametrize("name", SOURCES)
def test_spec_is_a_valid_schema_with_secrets_marked(name: str) -> None:
    spec = make_source(name).connection_specification()
    jsonschema.Draft7Validator.check_schema(spec)

    def walk(schema: Any, path: str) -> list[str]:
        unmarked = []
        if isinstance(schema, dict):
            for key, prop in (schema.get("properties") or {}).items():
                if (
                    is_secret_name(key)
                    and isinstance(prop, dict)
                    and not prop.get("airbyte_secret")
                    and prop.get("type") in ("string", None)
                    and not _COMPOSITE & set(prop)
                ):
                    unmarked.append(f"{path}.{key}")
                unmarked += walk(prop, f"{path}.{key}")
            for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
                unmarked += walk(branch, path)
            for definition in (schema.get("$defs") or schema.get("definitions") or {}).values():
                unmarked += walk(definition, path)
        return unmarked

    assert walk(spec, "config") == []


@pytest.mark.parametrize("name", SOURCES)
def test_check_fails_cleanly_on_bad_credentials(name: str, tmp_path: Path) -> None:
    with CASES[name].setup(tmp_path) as (good, bad):
        source = make_source(name)
        assert source.check_connection(logging.getLogger("test"), good) == (True, None)
        ok, message = source.check_connection(logging.getLogger("test"), bad)
    assert ok is False and message
    assert "\n" not in message.strip() and "Traceback" not in message
    assert CANARY not in message


@pytest.mark.parametrize("name", SOURCES)
def test_batch_and_record_paths_agree_and_a_reread_from_state_is_empty(name: str, tmp_path: Path) -> None:
    from connectors._cdk import SyncMode
    from connectors.records import frame_to_records

    with CASES[name].setup(tmp_path) as (good, _):
        source = make_source(name)
        for stream in source.hub_streams(source.parse_config(good)):
            batches = list(stream.read_batches(None))
            batch_rows = [r for b in batches for r in frame_to_records(b.frame)]
            assert batch_rows, f"{name}/{stream.name} read nothing"
            fresh = next(s for s in source.hub_streams(source.parse_config(good)) if s.name == stream.name)
            records = list(fresh.read_records(SyncMode.full_refresh))
            assert [dict(r) for r in records] == batch_rows
            if stream.supports_incremental:
                again = list(stream.read_batches(batches[-1].state))
                assert sum(len(b.frame) for b in again) == 0, f"{name}/{stream.name} re-read rows"


@pytest.mark.parametrize("name", SOURCES)
def test_the_canary_secret_appears_in_no_airbyte_message(name: str, tmp_path: Path) -> None:
    from connectors.runner import run_source_cli

    with CASES[name].setup(tmp_path) as (good, bad):
        outputs = []
        for command, config in (("check", bad), ("check", good), ("discover", good), ("discover", bad)):
            path = tmp_path / f"{command}.json"
            path.write_text(json.dumps(config), encoding="utf-8")
            out = io.StringIO()
            run_source_cli(lambda: make_source(name), [command, "--config", str(path)], stdout=out)
            outputs.append(out.getvalue())
    text = "\n".join(outputs)
    assert '"CONNECTION_STATUS"' in text and '"CATALOG"' in text
    assert CANARY not in text
