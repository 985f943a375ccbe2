"""The streams' incremental reading: each file once, in order, resumable inside a file."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from canonical_model.errors import ConfigError
from connectors.contract import Batch
from connectors.errors import FatalConnectorError
from connectors.file_drop.source import FileDropSource
from connectors.file_drop.streams import FileStream, parse_cursor

HEADER = "warehouse_code,sku,lot,on_hand,in_transit,expiry_date,updated_at\n"


def stock_file(folder: Path, name: str, count: int, *, first: int = 1, age: float = 600) -> Path:
    """``count`` stock rows; the file's times set ``age`` seconds back (ctime stays "now")."""
    path = folder / name
    lines = (
        f"WH-SH,SKU-{10000 + i},L{i},{i},0,2027-01-01,2026-11-01T06:00:00+08:00\n"
        for i in range(first, first + count)
    )
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    os.utime(path, (time.time() - age, time.time() - age))
    time.sleep(0.002)  # distinct change times, so the files' order is their writing order
    return path


def stream(folder: Path, name: str = "stock", **config: Any) -> FileStream:
    source = FileDropSource(sleep=lambda seconds: None)
    streams = source.hub_streams(source.parse_config({"path": str(folder), **config}))
    found = {s.name: s for s in streams}[name]
    assert isinstance(found, FileStream)
    return found


def read(folder: Path, state: dict[str, Any] | None = None, **config: Any) -> list[Batch]:
    return list(stream(folder, **config).read_batches(state))


def test_each_batch_is_one_chunk_of_one_file_with_its_lines_and_the_state_after_it(tmp_path: Path) -> None:
    stock_file(tmp_path, "inv_a.csv", 5)
    stock_file(tmp_path, "inv_b.csv", 2)
    batches = read(tmp_path, chunk_rows=3)
    assert [b.source_offset for b in batches] == [
        "inv_a.csv:lines=2-4",
        "inv_a.csv:lines=5-6",
        "inv_b.csv:lines=2-3",
    ]
    assert batches[0].frame["_file"].unique().tolist() == ["inv_a.csv"]
    prefix_a = batches[0].frame["_cursor"].iloc[0].rsplit("/", 1)[0]
    assert batches[0].state == {
        "_cursor": f"{prefix_a}/000000000004",
        "boundary_keys": ['["WH-SH", "SKU-10003", "L3"]'],
    }
    assert batches[1].state["_cursor"] == f"{prefix_a}/end"  # inv_a was read to its end
    assert batches[2].state["_cursor"].endswith("/inv_b.csv/end")


def test_a_read_from_the_saved_state_reads_no_file_again(tmp_path: Path) -> None:
    stock_file(tmp_path, "inv_a.csv", 5)
    state = read(tmp_path)[-1].state
    assert read(tmp_path, state) == []


def test_a_new_file_is_read_and_the_ones_before_it_are_not(tmp_path: Path) -> None:
    stock_file(tmp_path, "inv_a.csv", 5)
    state = read(tmp_path)[-1].state
    stock_file(tmp_path, "inv_0_new.csv", 2, first=100)  # sorts first by name, arrived last
    batches = read(tmp_path, state)
    assert [b.source_offset for b in batches] == ["inv_0_new.csv:lines=2-3"]


def test_a_file_half_read_when_the_process_died_resumes_after_the_last_committed_row(tmp_path: Path) -> None:
    stock_file(tmp_path, "inv_a.csv", 10)
    batches = read(tmp_path, chunk_rows=4)
    committed = batches[0].state  # the process died after the first batch's commit
    resumed = read(tmp_path, committed, chunk_rows=4)
    assert [b.source_offset for b in resumed] == ["inv_a.csv:lines=6-9", "inv_a.csv:lines=10-11"]
    assert resumed[-1].state == batches[-1].state


def test_a_file_that_changes_is_read_again_in_full_as_a_new_file(tmp_path: Path) -> None:
    path = stock_file(tmp_path, "inv_a.csv", 3)
    state = read(tmp_path)[-1].state
    with path.open("a", encoding="utf-8") as handle:
        handle.write("WH-SH,SKU-20000,L9,9,0,2027-01-01,2026-11-01T06:00:00+08:00\n")
    batches = read(tmp_path, state)
    assert [b.source_offset for b in batches] == ["inv_a.csv:lines=2-5"]


def test_rows_repeating_a_key_inside_one_file_are_all_read(tmp_path: Path) -> None:
    path = tmp_path / "inv_a.csv"
    same = "WH-SH,SKU-10001,L1,{},0,2027-01-01,2026-11-01T06:00:00+08:00\n"
    path.write_text(HEADER + same.format(5) + same.format(6) + same.format(7), encoding="utf-8")
    batches = read(tmp_path, chunk_rows=1)
    assert [b.frame["on_hand"].tolist() for b in batches] == [["5"], ["6"], ["7"]]


def test_the_state_holds_one_boundary_row_however_large_the_file(tmp_path: Path) -> None:
    stock_file(tmp_path, "inv_a.csv", 2000)
    batches = read(tmp_path, chunk_rows=500)
    assert {len(b.state["boundary_keys"]) for b in batches} == {1}


def test_a_large_file_is_read_in_chunks_of_chunk_rows(tmp_path: Path) -> None:
    stock_file(tmp_path, "inv_big.csv", 300_000)
    sizes, offsets = [], []
    for batch in stream(tmp_path).read_batches(None):  # one chunk in memory at a time
        sizes.append(len(batch.frame))
        offsets.append(batch.source_offset)
    assert sizes == [50_000] * 6
    assert offsets[0] == "inv_big.csv:lines=2-50001"
    assert offsets[-1] == "inv_big.csv:lines=250002-300001"


def test_a_stock_file_without_a_lot_column_gets_an_empty_lot(tmp_path: Path) -> None:
    (tmp_path / "inv_a.csv").write_text("warehouse_code,sku,on_hand\nWH-SH,SKU-10001,5\n", encoding="utf-8")
    [batch] = read(tmp_path)
    assert batch.frame.loc[0, "lot"] == ""


def test_a_lookback_is_refused_because_files_have_no_time_window(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="a lookback does not apply to files"):
        stream(tmp_path).read_batches(None, lookback=3600)


def test_a_saved_cursor_that_is_not_a_file_drop_cursor_is_fatal() -> None:
    assert parse_cursor("00000000000000000001/inv_a.csv/000000000017") == (
        "00000000000000000001/inv_a.csv",
        17,
    )
    assert parse_cursor("00000000000000000001/inv_a.csv/end") == ("00000000000000000001/inv_a.csv", None)
    with pytest.raises(FatalConnectorError, match="is not a file-drop cursor"):
        parse_cursor("2026-11-01T00:00:00+00:00")


def test_the_airbyte_path_emits_text_records_and_resumes_from_its_state(tmp_path: Path) -> None:
    from connectors._cdk import SyncMode

    stock_file(tmp_path, "inv_a.csv", 3)
    airbyte = stream(tmp_path)
    records = list(airbyte.read_records(SyncMode.incremental))
    assert [r["sku"] for r in records] == ["SKU-10001", "SKU-10002", "SKU-10003"]
    assert records[0]["_line"] == 2 and records[0]["on_hand"] == "1"
    assert airbyte.state["_cursor"].endswith("/inv_a.csv/end")
    assert list(airbyte.read_records(SyncMode.incremental)) == []
