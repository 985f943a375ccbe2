"""The wms-sftp order sink: ord_<key>.csv into the WMS's inbox, once, over a real sshd."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import pytest

from connectors.sink import Sink, submit_exactly_once
from connectors.wms_sftp.sandbox import OrderPickup
from connectors.wms_sftp.sink import ORDER_COLUMNS, WmsSftpSink, create_sink, order_csv, order_file_name

DOCUMENT: dict[str, Any] = {
    "order_no": "SO-2026-0001",
    "dealer_code": "D-001",
    "ship_to_location_code": "D-001-WH",
    "ship_to_region_code": "310115",
    "order_date": "2026-05-01",
    "requested_delivery_date": "2026-05-04",
    "currency": "CNY",
    "idempotency_key": "ignored-here",
    "lines": [
        {"line_no": 1, "sku": "SKU-1", "qty": "2", "unit": "CS", "qty_base": "24"},
        {"line_no": 2, "sku": "SKU-2", "qty": "6", "unit": "EA", "qty_base": "6"},
    ],
    "allocations": [
        {"line_no": 1, "sku": "SKU-1", "location_code": "WH-SH", "lot": "L1", "qty": "20"},
        {"line_no": 1, "sku": "SKU-1", "location_code": "WH-SH", "lot": "L2", "qty": "4"},
        {"line_no": 2, "sku": "SKU-2", "location_code": "WH-BJ", "lot": "", "qty": "6"},
    ],
}


def parsed(data: bytes, encoding: str = "utf-8") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode(encoding))))


def test_an_order_file_has_one_row_per_allocation_in_base_units() -> None:
    rows = parsed(order_csv(DOCUMENT, "out-17"))
    assert list(rows[0]) == list(ORDER_COLUMNS)
    assert [(r["line_no"], r["warehouse_code"], r["lot"], r["qty"], r["unit"]) for r in rows] == [
        ("1", "WH-SH", "L1", "20", "base"),
        ("1", "WH-SH", "L2", "4", "base"),
        ("2", "WH-BJ", "", "6", "base"),
    ]
    assert {r["order_no"] for r in rows} == {"SO-2026-0001"} and {r["idempotency_key"] for r in rows} == {
        "out-17"
    }


def test_an_order_without_allocations_lists_its_lines() -> None:
    rows = parsed(order_csv({**DOCUMENT, "allocations": []}, "k"), "utf-8")
    assert [(r["line_no"], r["warehouse_code"], r["qty"], r["unit"]) for r in rows] == [
        ("1", "", "24", "base"),
        ("2", "", "6", "base"),
    ]


def test_keys_that_are_not_file_name_safe_get_a_stable_distinct_name() -> None:
    assert order_file_name("SO-1_a.b") == "ord_SO-1_a.b.csv"
    odd = order_file_name("outbox:42/retry")
    assert odd == order_file_name("outbox:42/retry") and odd.startswith("ord_outbox_42_retry_")
    assert odd != order_file_name("outbox:42?retry") and "/" not in odd


def test_submit_writes_the_order_and_lookup_finds_it(sftp_config: dict[str, Any], drop: Path) -> None:
    with create_sink({**sftp_config, "order_encoding": "gbk"}) as sink:
        assert isinstance(sink, Sink)
        assert sink.lookup("SO-1") is None
        assert sink.submit({**DOCUMENT, "dealer_code": "经销商-1"}, idempotency_key="SO-1") == "ord_SO-1.csv"
        assert sink.lookup("SO-1") == "ord_SO-1.csv"
    assert sorted(p.name for p in (drop / "in").iterdir()) == ["ord_SO-1.csv"]
    assert parsed((drop / "in" / "ord_SO-1.csv").read_bytes(), "gbk")[0]["dealer_code"] == "经销商-1"


def test_a_server_that_moves_orders_away_at_once_neither_fails_the_upload_nor_gets_a_duplicate(
    sftp_config: dict[str, Any], drop: Path
) -> None:
    with OrderPickup(drop / "in") as pickup, create_sink(sftp_config) as sink:
        assert sink.submit(DOCUMENT, idempotency_key="SO-2") == "ord_SO-2.csv"
        deadline = time.monotonic() + 10
        while not pickup.picked and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pickup.picked == ["ord_SO-2.csv"]
        assert sink.lookup("SO-2") == "ord_SO-2.csv"  # found in in/archive
        assert sink.submit(DOCUMENT, idempotency_key="SO-2") == "ord_SO-2.csv"  # a retry writes nothing
        assert submit_exactly_once(sink, DOCUMENT, "SO-2", lookup_first=True) == "ord_SO-2.csv"
        time.sleep(0.05)
        assert pickup.picked == ["ord_SO-2.csv"]
    assert [p.name for p in (drop / "in" / "archive").iterdir()] == ["ord_SO-2.csv"]
    assert [p.name for p in (drop / "in").iterdir() if p.is_file()] == []


def test_the_local_mode_sink_writes_the_same_file(local_config: dict[str, Any], drop: Path) -> None:
    sink = WmsSftpSink(create_sink(local_config).config)
    assert sink.submit(DOCUMENT, idempotency_key="SO-3") == "ord_SO-3.csv"
    assert parsed((drop / "in" / "ord_SO-3.csv").read_bytes())[2]["sku"] == "SKU-2"


def test_an_order_without_lines_is_refused() -> None:
    with pytest.raises(ValueError, match="has no lines"):
        order_csv({**DOCUMENT, "lines": [], "allocations": []}, "k")
