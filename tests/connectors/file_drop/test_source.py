"""The source as a whole: config, check, spec, the Airbyte command line and the registry."""

from __future__ import annotations

import io
import json
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from canonical_model.errors import ConfigError
from connectors.file_drop.source import FileDropSource
from connectors.registry import ENTRY_POINT_GROUP, get_connector, list_connectors

DROP = Path(__file__).parent / "fixtures" / "drop"
FILE_DROP = EntryPoint("file-drop", "connectors.file_drop.descriptor:CONNECTOR", ENTRY_POINT_GROUP)


def test_check_of_a_missing_folder_fails_cleanly_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "wms" / "out"
    assert FileDropSource().check_connection(None, {"path": str(missing)}) == (
        False,
        f"file-drop: folder {missing} does not exist",
    )


def test_check_of_an_existing_folder_succeeds() -> None:
    assert FileDropSource().check_connection(None, {"path": str(DROP)}) == (True, None)


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({}, "give exactly one of path"),
        ({"path": "/drop", "url": "https://wms.example.com/drop/"}, "give exactly one of path"),
        ({"url": "ftp://wms.example.com/drop/"}, "url: String should match pattern"),
        ({"path": "/drop", "token": "t0ken-value"}, "token is only used with url"),
        (
            {"path": "/drop", "encoding": "latin-1"},
            "encoding: Input should be 'auto', 'utf-8', 'gbk' or 'gb18030'",
        ),
        ({"path": "/drop", "patterns": {"stock": "sub/inv_*.csv"}}, "patterns.stock"),
    ],
)
def test_a_bad_config_names_the_field_and_never_its_value(config: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as caught:
        FileDropSource().parse_config(config)
    assert "t0ken-value" not in str(caught.value)


def test_the_spec_marks_the_token_secret_and_defaults_to_the_wms_drop_patterns() -> None:
    spec = FileDropSource().connection_specification()
    assert spec["properties"]["token"]["airbyte_secret"] is True
    config = FileDropSource().parse_config({"path": "/drop"})
    assert (config.patterns.stock, config.patterns.products, config.patterns.dealers) == (
        "inv_*.csv",
        "products_*.{csv,xlsx}",
        "dealers_*.{csv,xlsx,jsonl}",
    )
    assert (config.encoding, config.delimiter, config.chunk_rows, config.settle_seconds) == (
        "auto",
        ",",
        50_000,
        2.0,
    )


def test_the_command_line_reads_the_drop_as_airbyte_messages(tmp_path: Path) -> None:
    from connectors.runner import run_source_cli

    config = tmp_path / "config.json"
    config.write_text(json.dumps({"path": str(DROP), "settle_seconds": 0}), encoding="utf-8")
    out = io.StringIO()
    assert run_source_cli(FileDropSource, ["discover", "--config", str(config)], stdout=out) == 0
    catalog = next(json.loads(line) for line in out.getvalue().splitlines() if '"CATALOG"' in line)
    streams = {s["name"]: s for s in catalog["catalog"]["streams"]}
    assert sorted(streams) == ["dealers", "products", "stock"]
    assert streams["stock"]["source_defined_primary_key"] == [["warehouse_code"], ["sku"], ["lot"]]
    configured = {
        "streams": [
            {"stream": streams["stock"], "sync_mode": "incremental", "destination_sync_mode": "append_dedup"}
        ]
    }
    catalog_file = tmp_path / "catalog.json"
    catalog_file.write_text(json.dumps(configured), encoding="utf-8")
    out = io.StringIO()
    argv = ["read", "--config", str(config), "--catalog", str(catalog_file)]
    assert run_source_cli(FileDropSource, argv, stdout=out) == 0
    messages = [json.loads(line) for line in out.getvalue().splitlines()]
    records = [m["record"]["data"] for m in messages if m["type"] == "RECORD"]
    states = [m["state"] for m in messages if m["type"] == "STATE"]
    assert [r["_line"] for r in records] == [2, 3, 4, 5, 6]
    assert states[-1]["stream"]["stream_state"]["_cursor"].endswith("/inv_WH-SH_20261101.csv/end")


def test_the_registry_finds_the_connector_through_its_entry_point() -> None:
    connector = get_connector("file-drop", entry_points=lambda: [FILE_DROP])
    assert connector.streams == ("stock", "products", "dealers")
    assert isinstance(connector.create_source(), FileDropSource)
    assert [info.name for info in list_connectors(entry_points=lambda: [FILE_DROP])] == ["file-drop"]
