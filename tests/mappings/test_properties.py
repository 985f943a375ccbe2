"""Properties over arbitrary input: nothing is lost, nothing counted twice, rejects keep their record."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canonical_model.store.merge_encode import json_safe
from mappings.engine import CompiledMapping, compile_mapping
from mappings.reference import ReferenceData
from mappings.spec import parse_spec

SPEC = parse_spec(
    """
entity: stock_levels
source: {connector: test, stream: stock, cursor: ts}
fields:
  location_code: {from: wh, transform: [strip, upper], required: true}
  sku: {from: sku, lookup: products.sku}
  lot: {from: lot, default: ""}
  on_hand: {from: qty, unit: {from: uom, default: base}, checks: [{ge: 0}]}
  _factor: {from: factor, cast: decimal}
  in_transit: {expr: "coalesce(on_hand / _factor, 0)"}
  reserved: {from: stat, map: {A: 0, B: 1}, unmapped: 'null', default: 0}
  expiry_date: {from: exp}
  as_of: {from: ts, timezone: Asia/Shanghai}
checks:
  - {rule: reserved_within_on_hand, expr: "reserved <= on_hand"}
""",
    path="prop.yaml",
)
REFERENCE = ReferenceData.of(
    {"products.sku": ["A", "B", "1"]},
    unit_factors={("A", "CS"): 12},
    base_units={"A": "EA", "B": "EA", "1": "KG"},
)
MAPPING: CompiledMapping = compile_mapping(SPEC, reference=REFERENCE)
COLUMNS = ["wh", "sku", "lot", "qty", "uom", "factor", "stat", "exp", "ts"]
RULE = re.compile(r"^(duplicate_key|(required|cast|map|lookup|unit|currency|expr|check):[A-Za-z_]+)$")

values = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=6),
    st.sampled_from(
        [
            "A",
            "B",
            "1",
            "0",
            "-1",
            "CS",
            "EA",
            "2024-01-01",
            "2024-02-30",
            "9999-12-31",
            "2024-01-01T08:00:00+08:00",
            " w1 ",
            "",
            "1e5",
            "NaN",
        ]
    ),
)
rows = st.lists(st.fixed_dictionaries({name: values for name in COLUMNS}), max_size=25)


def check_batch(frame: pd.DataFrame) -> None:
    batch = MAPPING.apply(frame)
    assert batch.read == len(frame)
    assert batch.loaded + batch.rejected == len(frame)
    rejected_ids = [r.raw["rid"] for r in batch.rejects]
    assert sorted(batch.valid.index.tolist() + rejected_ids) == sorted(frame.index.tolist())
    by_id = {rid: frame.loc[rid] for rid in rejected_ids}
    for reject in batch.rejects:
        assert RULE.match(reject.rule), reject.rule
        assert reject.reason
        original = by_id[reject.raw["rid"]]
        assert reject.raw == {str(k): json_safe(v) for k, v in original.items()}
    for column, kinds in (
        ("on_hand", (Decimal,)),
        ("location_code", (str,)),
        ("lot", (str,)),
        ("expiry_date", (date, type(None))),
        ("as_of", (datetime, type(None))),
    ):
        assert all(type(v) in kinds for v in batch.valid[column]), column


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_every_row_is_either_valid_or_rejected_once_with_its_raw_record(
    records: list[dict[str, Any]],
) -> None:
    frame = pd.DataFrame(records, columns=COLUMNS, dtype=object)
    frame["rid"] = [f"r{i}" for i in range(len(frame))]
    frame.index = pd.Index(frame["rid"])
    check_batch(frame)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-5, 5), st.floats(allow_nan=True, width=32), st.booleans()), max_size=25)
)
def test_native_numeric_columns_reconcile_too(cells: list[tuple[int, float, bool]]) -> None:
    frame = pd.DataFrame(
        {
            "wh": ["W"] * len(cells),
            "sku": ["A"] * len(cells),
            "lot": [str(i % 3) for i in range(len(cells))],
            "qty": pd.Series([c[0] for c in cells], dtype="int64"),
            "factor": pd.Series([c[1] for c in cells], dtype="float64"),
            "stat": pd.Series([c[2] for c in cells], dtype="bool"),
        }
    )
    frame["rid"] = [f"r{i}" for i in range(len(frame))]
    frame.index = pd.Index(frame["rid"])
    check_batch(frame)
