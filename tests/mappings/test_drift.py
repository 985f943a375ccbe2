"""Schema drift: unmapped columns are information, appearing/vanishing/retyped columns are drift."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mappings.drift import DriftReport, detect_drift, enforce_drift, source_schema
from mappings.errors import SchemaDriftError
from mappings.spec import MappingSpec, load_spec


@pytest.fixture
def stock(specs_dir: Path) -> MappingSpec:
    return load_spec(specs_dir / "file-drop" / "stock.yaml")


def frame(**columns: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(columns)


FULL: dict[str, list[Any]] = {
    "warehouse_code": ["W"],
    "item_no": ["A"],
    "batch_no": [""],
    "qty": ["1"],
    "uom": ["EA"],
    "in_transit_qty": ["0"],
    "expiry": ["20250101"],
    "updated_at": ["2024-01-01 00:00:00"],
}


def test_a_source_matching_the_spec_has_no_drift_and_reports_unmapped_columns(stock: MappingSpec) -> None:
    report = detect_drift(stock, frame(**FULL, remark=["x"]))
    assert not report.has_drift
    assert report.unmapped == ("remark",)
    assert report.summary() == "file-drop/stock: no schema drift (1 unmapped source column: remark)"


def test_a_column_the_spec_reads_that_is_missing_is_removed(stock: MappingSpec) -> None:
    columns = {k: v for k, v in FULL.items() if k != "uom"}
    report = detect_drift(stock, frame(**columns))
    assert report.removed == ("uom",)
    assert report.has_drift


def test_against_the_previous_run_columns_added_removed_and_retyped_are_drift(stock: MappingSpec) -> None:
    previous = {**source_schema(frame(**FULL)), "legacy_flag": "boolean", "qty": "integer"}
    now = frame(**FULL, new_col=[1.5])
    report = detect_drift(stock, now, previous)
    assert report.added == ("new_col",)
    assert report.removed == ("legacy_flag",)
    assert report.type_changed == (("qty", "integer", "string"),)
    assert report.summary() == (
        "file-drop/stock: schema drift: added new_col; removed legacy_flag; "
        "type changed qty (integer → string) (1 unmapped source column: new_col)"
    )


def test_an_all_empty_column_is_not_a_type_change(stock: MappingSpec) -> None:
    previous = source_schema(frame(**FULL))
    report = detect_drift(stock, frame(**{**FULL, "qty": [None]}), previous)
    assert report.type_changed == ()


def test_drift_is_detected_from_a_json_schema_too(stock: MappingSpec) -> None:
    schema = {
        "type": "object",
        "properties": {
            "warehouse_code": {"type": "string"},
            "item_no": {"type": ["null", "string"]},
            "qty": {"type": "number"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    }
    current = source_schema(schema)
    assert current == {
        "warehouse_code": "string",
        "item_no": "string",
        "qty": "number",
        "updated_at": "datetime",
    }
    report = detect_drift(stock, schema, {**current, "qty": "integer"})
    assert report.removed == ("batch_no", "expiry", "in_transit_qty", "uom")
    assert report.type_changed == (("qty", "integer", "number"),)


def test_a_column_to_dtype_mapping_is_accepted() -> None:
    assert source_schema(
        {"a": "int64", "b": "object", "c": "float64", "d": "datetime64[ns, UTC]", "e": "bool"}
    ) == {"a": "integer", "b": "string", "c": "number", "d": "datetime", "e": "boolean"}


def test_policy_fail_raises_a_one_line_error_and_warn_returns_the_report(stock: MappingSpec) -> None:
    report = detect_drift(stock, frame(**{k: v for k, v in FULL.items() if k != "expiry"}))
    assert enforce_drift(report, "warn") is report
    with pytest.raises(SchemaDriftError) as caught:
        enforce_drift(report, "fail")
    assert str(caught.value) == "file-drop/stock: schema drift: removed expiry (drift policy: fail)"
    assert "\n" not in str(caught.value)


def test_policy_fail_without_drift_passes(stock: MappingSpec) -> None:
    report = detect_drift(stock, frame(**FULL))
    assert enforce_drift(report, "fail") is report


def test_the_report_serialises_for_the_run_record() -> None:
    report = DriftReport(
        stream="s",
        added=("a",),
        type_changed=(("b", "integer", "string"),),
        schema={"a": "string", "b": "string"},
    )
    assert report.as_dict() == {
        "added": ["a"],
        "removed": [],
        "type_changed": [{"column": "b", "before": "integer", "now": "string"}],
        "unmapped": [],
        "schema": {"a": "string", "b": "string"},
    }
