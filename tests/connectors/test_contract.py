"""The source contract: batches with their state, records from the same batches, boundary rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from canonical_model.errors import ConfigError
from connectors._cdk import AirbyteTracedException, FailureType, Status, SyncMode
from connectors.contract import Batch, HubStream, Page
from connectors.errors import FatalConnectorError
from connectors.records import frame_to_records
from connectors.sample.source import SampleSource
from connectors.state import CursorPosition, CursorTracker

KEY = "sk_sample_5f0c2a91"


def items(count: int, *, page_size: int = 3) -> HubStream:
    return SampleSource().hub_streams(
        SampleSource().parse_config({"count": count, "api_key": KEY, "page_size": page_size})
    )[0]


def ids(batches: Iterable[Batch]) -> list[int]:
    return [int(i) for batch in batches for i in batch.frame["id"]]


def test_batches_and_records_carry_the_same_rows() -> None:
    from_batches = [row for batch in items(8).read_batches() for row in frame_to_records(batch.frame)]
    from_records = list(items(8).read_records(SyncMode.full_refresh))
    assert from_records == from_batches
    assert [row["id"] for row in from_records] == list(range(1, 9))
    assert from_records[0] == {
        "id": 1,
        "name": "item-00001",
        "updated_at": "2024-01-01T00:01:00+00:00",
        "qty": 1,
    }


def test_each_batch_carries_the_state_after_its_rows() -> None:
    batches = list(items(7).read_batches())
    assert [batch.source_offset for batch in batches] == ["page=1", "page=2", "page=3"]
    assert [batch.state for batch in batches] == [
        {"updated_at": "2024-01-01T00:02:00+00:00", "boundary_keys": ["3"]},
        {"updated_at": "2024-01-01T00:03:00+00:00", "boundary_keys": ["5", "6"]},
        {"updated_at": "2024-01-01T00:04:00+00:00", "boundary_keys": ["7"]},
    ]


def test_resuming_from_any_batch_state_neither_loses_nor_repeats_rows() -> None:
    # Rows 3 and 4 share updated_at but sit on different pages: a `cursor > state` read would
    # lose row 4 after a stop behind page 1.
    batches = list(items(7).read_batches())
    for done, batch in enumerate(batches, start=1):
        already = ids(batches[:done])
        resumed = ids(items(7).read_batches(batch.state))
        assert sorted(already + resumed) == list(range(1, 8))


def test_a_second_read_from_the_final_state_yields_nothing() -> None:
    final = list(items(7).read_batches())[-1].state
    assert list(items(7).read_batches(final)) == []


def test_rows_added_later_are_read_even_when_they_share_the_last_cursor_value() -> None:
    final = list(items(7).read_batches())[-1].state
    assert ids(items(10).read_batches(final)) == [8, 9, 10]  # row 8 shares updated_at with row 7


def test_a_lookback_rereads_the_window_before_the_cursor() -> None:
    final = list(items(7).read_batches())[-1].state
    assert ids(items(7).read_batches(final, lookback=timedelta(minutes=1))) == [5, 6]


def test_the_airbyte_path_checkpoints_only_completely_emitted_batches() -> None:
    stream = items(7)
    stream.state = {}
    records = stream.read_records(SyncMode.incremental)
    seen = [next(records) for _ in range(4)]  # page 1 done, first row of page 2 emitted
    assert [row["id"] for row in seen] == [1, 2, 3, 4]
    assert stream.state == {"updated_at": "2024-01-01T00:02:00+00:00", "boundary_keys": ["3"]}
    list(records)
    assert stream.state["boundary_keys"] == ["7"]


class Shuffled(HubStream):
    """A source that cannot sort by cursor: state may only move with its last batch."""

    name = "shuffled"
    primary_key: ClassVar[str | list[str]] = "id"
    cursor_field: ClassVar[str | list[str]] = "seq"
    cursor_type = "number"
    sorted_by_cursor = False
    json_schema: ClassVar[Mapping[str, Any]] = {"type": "object", "properties": {}}

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        for number, seqs in enumerate([[30, 10], [20], [40, 5]], start=1):
            kept = [seq for seq in seqs if since is None or seq >= since]
            yield Page(pd.DataFrame({"id": kept, "seq": kept}), f"page={number}")


def test_an_unsorted_stream_moves_its_state_only_with_its_last_batch() -> None:
    batches = list(Shuffled().read_batches({"seq": 10, "boundary_keys": ["10"]}))
    assert ids(batches) == [30, 20, 40]
    assert [batch.state for batch in batches] == [
        {"seq": 10, "boundary_keys": ["10"]},
        {"seq": 10, "boundary_keys": ["10"]},
        {"seq": 40, "boundary_keys": ["40"]},
    ]


class PerWarehouse(HubStream):
    """Stock per warehouse, each warehouse with its own cursor."""

    name = "stock"
    primary_key: ClassVar[str | list[str]] = ["warehouse", "sku"]
    cursor_field: ClassVar[str | list[str]] = "changed_at"
    partition_field = "warehouse"
    json_schema: ClassVar[Mapping[str, Any]] = {"type": "object", "properties": {}}

    def __init__(self, rows: dict[str, list[tuple[str, datetime]]]) -> None:
        super().__init__()
        self.rows = rows
        self.asked: dict[str, Any] = {}

    def partitions(self) -> Iterable[str]:
        return sorted(self.rows)

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        assert partition is not None
        self.asked[partition] = since
        rows = [(partition, sku, at) for sku, at in self.rows[partition] if since is None or at >= since]
        yield Page(pd.DataFrame(rows, columns=["warehouse", "sku", "changed_at"]), f"warehouse={partition}")


def test_a_partitioned_stream_keeps_one_cursor_per_partition() -> None:
    t1, t2, t3 = (datetime(2024, 5, 1, h, tzinfo=UTC) for h in (8, 9, 10))
    first = list(PerWarehouse({"W1": [("A", t1), ("B", t2)], "W2": [("A", t1)]}).read_batches())
    state = first[-1].state
    assert state == {
        "partitions": {
            "W1": {"changed_at": t2.isoformat(), "boundary_keys": ['["W1", "B"]']},
            "W2": {"changed_at": t1.isoformat(), "boundary_keys": ['["W2", "A"]']},
        }
    }
    stream = PerWarehouse({"W1": [("A", t1), ("B", t2)], "W2": [("A", t1), ("C", t3)]})
    again = list(stream.read_batches(state))
    assert stream.asked == {"W1": t2, "W2": t1}
    assert [(batch.partition, list(batch.frame["sku"])) for batch in again] == [("W2", ["C"])]


def test_records_hold_json_native_values() -> None:
    frame = pd.DataFrame(
        {
            "at": pd.to_datetime(["2024-05-01T10:00:00+08:00", None], utc=True),
            "amount": [Decimal("12.30"), None],
            "qty": pd.array([3, None], dtype="Int64"),
            "ratio": [0.5, float("nan")],
            "day": [date(2024, 5, 1), None],
            "tags": [np.array(["a", "b"]), {"k": np.int64(1)}],
        }
    )
    assert list(frame_to_records(frame)) == [
        {
            "at": "2024-05-01T02:00:00+00:00",
            "amount": "12.30",
            "qty": 3,
            "ratio": 0.5,
            "day": "2024-05-01",
            "tags": ["a", "b"],
        },
        {"at": None, "amount": None, "qty": None, "ratio": None, "day": None, "tags": {"k": 1}},
    ]


def test_a_page_without_a_usable_cursor_is_a_fatal_connector_error() -> None:
    tracker = CursorTracker(
        cursor_field="updated_at",
        cursor_type="datetime",
        primary_key=["id"],
        start=CursorPosition(),
        stream="items",
    )
    with pytest.raises(FatalConnectorError, match="without the cursor column 'updated_at'"):
        tracker.admit(pd.DataFrame({"id": [1]}))
    with pytest.raises(FatalConnectorError, match="not a datetime"):
        tracker.admit(pd.DataFrame({"id": [1], "updated_at": ["yesterday-ish"]}))


def test_cursor_positions_round_trip_through_state() -> None:
    position = CursorPosition("2024-01-01T00:00:00+00:00", frozenset({"2", "1"}))
    assert CursorPosition.from_state(position.to_state("updated_at"), "updated_at") == position
    assert CursorPosition.from_state({"updated_at": 5}, "updated_at") == CursorPosition(5, frozenset())


def test_check_reports_refused_credentials_cleanly() -> None:
    status = SampleSource().check(None, {"count": 1, "api_key": "sk_live_1234567890"})
    assert status.status == Status.FAILED
    assert status.message == "sample: API key rejected (HTTP 401)"


def test_check_reports_a_bad_config_by_field_without_echoing_values() -> None:
    status = SampleSource().check(None, {"count": -1, "api_key": "sk_sample_12345678", "bogus": "x"})
    assert status.status == Status.FAILED
    assert status.message is not None
    assert "count" in status.message and "bogus" in status.message
    assert "sk_sample_12345678" not in status.message
    with pytest.raises(ConfigError):
        SampleSource().parse_config({"count": "many"})


def test_hub_errors_reach_airbyte_as_clean_traced_exceptions() -> None:
    stream = SampleSource().streams({"count": 3, "api_key": "sk_wrong_1234"})[0]
    with pytest.raises(AirbyteTracedException) as caught:
        list(stream.read_records(SyncMode.full_refresh))
    assert caught.value.message == "sample: API key rejected (HTTP 401)"
    assert caught.value.failure_type == FailureType.config_error
    with pytest.raises(AirbyteTracedException) as bad_config:
        SampleSource().streams({"count": 3})
    assert bad_config.value.failure_type == FailureType.config_error
