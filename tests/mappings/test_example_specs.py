"""The example specs end to end, and a 200k-row batch through one compiled mapping."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mappings.engine import compile_mapping
from mappings.reference import ReferenceData
from mappings.spec import load_spec
from mappings.validate import resolve

REFERENCE = ReferenceData.of(
    {"products.sku": ["TEA-1", "OIL-5"], "dealers.code": ["BRAND"]},
    unit_factors={("TEA-1", "CS"): 24},
    base_units={"TEA-1": "EA", "OIL-5": "EA"},
)


def test_the_annotated_stock_spec_maps_a_wms_file(specs_dir: Path) -> None:
    mapping = compile_mapping(load_spec(specs_dir / "file-drop" / "stock.yaml"), reference=REFERENCE)
    frame = pd.DataFrame(
        {
            "warehouse_code": [" sh01", "SH01", "bj02"],
            "item_no": ["ＴＥＡ-1", "TEA-1", "OIL-5"],
            "batch_no": ["B7", "B7", None],
            "qty": ["2", "30", "-1"],
            "uom": ["CS", "EA", "EA"],
            "in_transit_qty": [None, "6", "0"],
            "expiry": ["20260131", "2026-01-31", "20251231"],
            "updated_at": ["2024-06-01 09:00:00", "2024-06-01 08:00:00", "2024-06-01 09:00:00"],
        }
    )
    batch = mapping.apply(frame, source_offsets=["stock.csv:2", "stock.csv:3", "stock.csv:4"])
    assert batch.valid.to_dict("records") == [
        {
            "location_code": "SH01",
            "sku": "TEA-1",
            "lot": "B7",
            "on_hand": Decimal("48.0000"),
            "in_transit": Decimal("0.0000"),
            "expiry_date": date(2026, 1, 31),
            "as_of": datetime(2024, 6, 1, 1, tzinfo=UTC),
        }
    ]
    assert [(r.rule, r.source_offset, r.record_key) for r in batch.rejects] == [
        ("duplicate_key", "stock.csv:3", "SH01|TEA-1|B7"),
        ("check:on_hand", "stock.csv:4", "BJ02|OIL-5|"),
    ]


def test_the_dealer_spec_maps_codes_levels_and_parents(specs_dir: Path) -> None:
    mapping = compile_mapping(load_spec(specs_dir / "erp" / "dealers.yaml"), reference=REFERENCE)
    frame = pd.DataFrame(
        {
            "KUNNR": ["N001 ", "L101", "L102"],
            "NAME1": ["华东总代", "上海一级", "杭州一级"],
            "KTOKD": ["ZNAT", "ZL1", "ZL1"],
            "PARENT": ["BRAND", "N001", "N999"],
            "STATUS": ["A", None, "S"],
            "GRADE": ["a", "b", "D"],
            "KLIMK": ["1000000", None, "5"],
            "ZTERM": ["30", "", "15"],
            "CONTRACT": ["Y", None, "X"],
            "REGIO": ["310000", "310100", "330100"],
        }
    )
    batch = mapping.apply(frame)
    assert batch.valid[
        ["code", "level", "parent_code", "status", "grade", "credit_limit", "payment_terms_days"]
    ].values.tolist() == [
        ["N001", 1, "BRAND", "active", "A", Decimal("1000000.0000"), 30],
        ["L101", 2, "N001", "active", "B", Decimal("0.0000"), 0],
    ]
    assert batch.valid["contract_required"].tolist() == [True, False]
    assert [(r.rule, r.reason) for r in batch.rejects] == [
        (
            "cast:contract_required",
            "contract_required: 'X' is not a yes/no value (expected one of: true, t, yes, y, 1, on, 是, "
            "false, f, no, n, 0, off, 否); parent_code: 'N999' is not a known dealers.code; "
            "grade: 'D' must be in ['A', 'B', 'C']",
        )
    ]


def test_the_order_line_spec_derives_amounts_from_a_helper_field(specs_dir: Path) -> None:
    mapping = compile_mapping(load_spec(specs_dir / "erp" / "order_lines.yaml"), reference=REFERENCE)
    frame = pd.DataFrame(
        {
            "VBELN": ["SO1", "SO1", "SO1"],
            "POSNR": ["000010", "000020", "000030"],
            "MATNR": ["TEA-1"] * 3,
            "VRKME": ["cs", "EA", "EA"],
            "KWMENG": ["2", "5", "1"],
            "NETPR": ["10.005", "0", "-1"],
            "changed_at": ["t1", "t1", "t1"],
        }
    )
    batch = mapping.apply(frame)
    assert batch.valid[
        ["line_no", "unit", "qty", "qty_base", "net_price", "net_amount", "is_free_goods"]
    ].values.tolist() == [
        [10, "CS", Decimal("2.0000"), Decimal("48.0000"), Decimal("10.0050"), Decimal("20.0100"), False],
        [20, "EA", Decimal("5.0000"), Decimal("5.0000"), Decimal("0.0000"), Decimal("0.0000"), True],
        [30, "EA", Decimal("1.0000"), Decimal("1.0000"), Decimal("-1.0000"), Decimal("-1.0000"), False],
    ]
    assert "_unit_price" not in batch.valid.columns


def test_compiling_resolves_the_spec_once(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "pay" / "payments.yaml")
    assert resolve(spec) is resolve(spec)
    first = compile_mapping(spec)
    assert first.plan is compile_mapping(spec).plan


@pytest.mark.slow
def test_a_200k_row_batch_maps_in_one_vectorised_pass(specs_dir: Path) -> None:
    mapping = compile_mapping(load_spec(specs_dir / "file-drop" / "stock.yaml"), reference=REFERENCE)
    n = 200_000
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "warehouse_code": rng.choice(["sh01", "bj02", ""], n, p=[0.5, 0.499, 0.001]),
            "item_no": rng.choice(["TEA-1", "OIL-5"], n),
            "batch_no": [f"B{i}" for i in range(n)],
            "qty": rng.integers(0, 10_000, n).astype(str),
            "uom": np.where(rng.random(n) < 0.5, "EA", "CS"),
            "in_transit_qty": rng.integers(0, 50, n).astype(str),
            "expiry": rng.choice(["20260131", "99991231", "2026-02-30"], n, p=[0.6, 0.399, 0.001]),
            "updated_at": "2024-06-01 09:00:00",
        }
    )
    batch = mapping.apply(frame)
    assert batch.loaded + batch.rejected == n
    expected_bad = (
        (frame["warehouse_code"] == "")
        | (frame["expiry"] == "2026-02-30")
        | ((frame["item_no"] == "OIL-5") & (frame["uom"] == "CS"))
    )
    assert batch.rejected == int(expected_bad.sum())
    first = batch.valid.iloc[0]
    row = frame.loc[batch.valid.index[0]]
    factor = 24 if row["uom"] == "CS" else 1
    assert first["on_hand"] == Decimal(str(row["qty"])) * factor
