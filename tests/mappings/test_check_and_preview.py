"""`dmshub mapping check` and `dmshub mapping preview` backends."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mappings.errors import MappingError
from mappings.reference import ReferenceData
from mappings.schema_check import check_spec_against_schema, preview
from mappings.spec import load_spec

PROPERTIES: dict[str, Any] = {
    "warehouse_code": {"type": "string"},
    "item_no": {"type": "string"},
    "batch_no": {"type": ["null", "string"]},
    "qty": {"type": "number"},
    "uom": {"type": "string"},
    "in_transit_qty": {"type": ["null", "integer"]},
    "expiry": {"type": "string"},
    "updated_at": {"type": "string", "format": "date-time"},
}
STOCK_SCHEMA = {"type": "object", "properties": PROPERTIES}


def test_a_spec_that_fits_the_discovered_schema_has_no_problems(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "file-drop" / "stock.yaml")
    assert check_spec_against_schema(spec, STOCK_SCHEMA) == []


def test_missing_columns_and_unreadable_types_are_listed(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "file-drop" / "stock.yaml")
    props: dict[str, Any] = dict(PROPERTIES)
    props.pop("uom")
    props["item"] = props.pop("item_no")
    props["qty"] = {"type": "object"}
    props["updated_at"] = {"type": "boolean"}
    problems = check_spec_against_schema(spec, {"properties": props})
    assert problems == [
        "field 'sku': source column 'item_no' is not in the stream's schema (did you mean 'item'?)",
        "field 'on_hand': source column 'qty' is object in the schema, which cast decimal cannot read",
        "field 'on_hand': unit column 'uom' is not in the stream's schema",
        "field 'as_of': source column 'updated_at' is boolean in the schema, which cast datetime cannot read",
    ]


def test_local_timestamps_without_a_timezone_are_flagged(make_spec: object) -> None:
    spec = make_spec("fields:\n  location_code: wh\n  sku: sku\n  as_of: {from: ts}\n")  # type: ignore[operator]
    schema = {
        "properties": {
            "wh": {"type": "string"},
            "sku": {"type": "string"},
            "ts": {"type": "string", "format": "date-time", "airbyte_type": "timestamp_without_timezone"},
        }
    }
    assert check_spec_against_schema(spec, schema) == [
        "field 'as_of': source column 'ts' holds local times without an offset; set timezone "
        "(e.g. Asia/Shanghai) or they are read as UTC"
    ]


def test_a_schema_without_properties_is_reported(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "file-drop" / "stock.yaml")
    assert check_spec_against_schema(spec, {"type": "object"}) == [
        "file-drop/stock: the stream's JSON schema has no properties to check against"
    ]


def test_preview_shows_the_first_rows_before_and_after_with_their_rejects(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "pay" / "payments.yaml")
    records = [
        {
            "out_trade_no": f"P{i}",
            "total_amount": "10.00",
            "currency": "USD",
            "trade_status": "TRADE_SUCCESS",
            "gmt_payment": "2024-03-01 12:00:00",
        }
        for i in range(12)
    ]
    records[1] = {**records[1], "trade_status": "WEIRD"}
    before, after, rejects = preview(spec, records, n=3)
    assert before["out_trade_no"].tolist() == ["P0", "P1", "P2"]
    assert after["payment_no"].tolist() == ["P0", "P2"]
    assert after["amount"].tolist() == [Decimal("71.0000"), Decimal("71.0000")]
    assert [r.rule for r in rejects] == ["map:status"]


def test_preview_of_a_spec_with_lookups_needs_reference_data(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "file-drop" / "stock.yaml")
    with pytest.raises(MappingError, match=r"reference keys for lookups products\.sku were not supplied"):
        preview(spec, [{"warehouse_code": "W"}])
    reference = ReferenceData.of({"products.sku": ["A"]}, base_units={"A": "EA"})
    _, after, rejects = preview(
        spec, [{"warehouse_code": "w", "item_no": "Ａ", "qty": "2", "uom": "EA"}], reference=reference
    )
    assert after[["location_code", "sku", "on_hand"]].values.tolist() == [["W", "A", Decimal("2.0000")]]
    assert rejects == []
