"""Every row ends up valid or rejected exactly once, with a stable rule and its raw record."""

from __future__ import annotations

import json
import textwrap
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mappings.engine import compile_mapping
from mappings.errors import MappingError
from mappings.reference import ReferenceData

SPEC = """
    fields:
      location_code: {from: wh, required: true}
      sku: {from: sku, lookup: products.sku}
      lot: {from: lot, default: ""}
      on_hand: {from: qty, checks: [{ge: 0}]}
      as_of: {from: ts}
    """
PRODUCTS = ReferenceData.of({"products.sku": ["A", "B"]})


def test_a_row_failing_several_rules_is_rejected_once_with_the_first_rule_and_all_reasons(
    make_spec: Any, run: Any
) -> None:
    batch = run(
        make_spec(SPEC), [{"wh": None, "sku": "Z", "qty": "abc", "ts": "2024-01-01"}], reference=PRODUCTS
    )
    assert batch.rejected == 1 and batch.loaded == 0
    (reject,) = batch.rejects
    assert reject.rule == "required:location_code"
    assert reject.reason == (
        "location_code is missing; on_hand: 'abc' is not a decimal number; "
        "sku: 'Z' is not a known products.sku"
    )


@pytest.mark.parametrize(
    ("row", "rule"),
    [
        ({"wh": "W", "sku": None, "qty": "x"}, "required:sku"),
        ({"wh": "W", "sku": "Z", "qty": "x"}, "cast:on_hand"),
        ({"wh": "W", "sku": "Z", "qty": "-1"}, "lookup:sku"),
        ({"wh": "W", "sku": "A", "qty": "-1"}, "check:on_hand"),
    ],
)
def test_rules_are_reported_in_a_fixed_order(
    make_spec: Any, run: Any, row: dict[str, Any], rule: str
) -> None:
    batch = run(make_spec(SPEC), [{"ts": None, **row}], reference=PRODUCTS)
    assert [r.rule for r in batch.rejects] == [rule]


def test_a_reject_carries_its_raw_record_as_json_offset_and_key(make_spec: Any, run: Any) -> None:
    frame = pd.DataFrame(
        {
            "wh": ["W1", "W2"],
            "sku": ["A", "A"],
            "lot": [None, "L9"],
            "qty": [np.int64(1), np.int64(-5)],
            "ts": [pd.Timestamp("2024-01-01T00:00:00Z"), pd.NaT],
            "extra": [Decimal("1.10"), float("nan")],
        }
    )
    batch = run(make_spec(SPEC), frame, reference=PRODUCTS, offsets=["stock.csv:2", "stock.csv:3"])
    (reject,) = batch.rejects
    assert reject.raw == {"wh": "W2", "sku": "A", "lot": "L9", "qty": -5, "ts": None, "extra": None}
    json.dumps(reject.raw)  # JSON-safe for the quarantine table
    assert (reject.source_offset, reject.record_key) == ("stock.csv:3", "W2|A|L9")


def test_the_record_key_falls_back_to_raw_values_when_a_key_field_failed(make_spec: Any, run: Any) -> None:
    batch = run(make_spec(SPEC), [{"wh": "W", "sku": "Z", "qty": "1", "ts": None}], reference=PRODUCTS)
    assert batch.rejects[0].record_key == "W|Z|"


def test_valid_rows_keep_their_input_index_and_only_target_columns(make_spec: Any, run: Any) -> None:
    frame = pd.DataFrame(
        {
            "wh": ["W", None, "W"],
            "sku": ["A", "A", "B"],
            "qty": ["1", "1", "2"],
            "ts": [None, None, "2024-05-01T08:00:00+08:00"],
            "noise": [1, 2, 3],
        },
        index=["r10", "r11", "r12"],
    )
    batch = run(make_spec(SPEC), frame, reference=PRODUCTS)
    assert batch.valid.index.tolist() == ["r10", "r12"]
    assert batch.valid.columns.tolist() == ["location_code", "sku", "lot", "on_hand", "as_of"]
    assert batch.valid.loc["r12"].tolist() == [
        "W",
        "B",
        "",
        Decimal("2.0000"),
        datetime.fromisoformat("2024-05-01T00:00:00+00:00"),
    ]
    assert batch.valid.loc["r10", "as_of"] is None
    assert (batch.read, batch.loaded, batch.rejected) == (3, 2, 1)


DUP_SPEC = """
    source: {{connector: test, stream: stock{cursor}}}
    {policy}
    fields:
      location_code: {{from: wh}}
      sku: {{from: sku}}
      on_hand: {{from: qty}}
      as_of: {{from: ts}}
    """


def dup_spec(cursor: str, policy: str) -> str:
    return "entity: stock_levels\n" + textwrap.dedent(DUP_SPEC.format(cursor=cursor, policy=policy)).strip(
        "\n"
    )


DUP_ROWS = [
    {"wh": "W", "sku": "A", "qty": "1", "ts": "2024-01-03T00:00:00Z"},
    {"wh": "W", "sku": "A", "qty": "2", "ts": "2024-01-01T00:00:00Z"},
    {"wh": "W", "sku": "B", "qty": "3", "ts": "2024-01-01T00:00:00Z"},
    {"wh": "W", "sku": "A", "qty": "4", "ts": "2024-01-02T00:00:00+08:00"},
]


@pytest.mark.parametrize(
    ("cursor", "policy", "kept", "rejected"),
    [
        pytest.param(
            ", cursor: ts", "", ["1", "3"], ["2", "4"], id="keep-last-by-cursor-is-the-default-with-a-cursor"
        ),
        pytest.param("", "on_duplicate: keep_last", ["3", "4"], ["1", "2"], id="keep-last-by-batch-order"),
        pytest.param("", "", ["3"], ["1", "2", "4"], id="reject-all-is-the-default-without-a-cursor"),
        pytest.param(", cursor: ts", "on_duplicate: reject", ["3"], ["1", "2", "4"], id="reject-all"),
    ],
)
def test_duplicate_keys_within_a_batch(
    make_spec: Any, run: Any, cursor: str, policy: str, kept: list[str], rejected: list[str]
) -> None:
    spec = make_spec(dup_spec(cursor, policy))
    batch = run(spec, DUP_ROWS)
    qty = {"1": Decimal("1.0000"), "2": Decimal("2.0000"), "3": Decimal("3.0000"), "4": Decimal("4.0000")}
    assert batch.valid["on_hand"].tolist() == [qty[k] for k in kept]
    assert sorted(str(int(Decimal(r.raw["qty"]))) for r in batch.rejects) == rejected
    assert {r.rule for r in batch.rejects} == {"duplicate_key"}


def test_a_superseded_row_says_why(make_spec: Any, run: Any) -> None:
    spec = make_spec(dup_spec(", cursor: ts", ""))
    batch = run(spec, DUP_ROWS[:2])
    assert batch.rejects[0].reason == (
        "superseded by another row with the same key (location_code='W', sku='A') and a later ts"
    )


def test_rows_rejected_for_other_rules_do_not_count_as_duplicates(make_spec: Any, run: Any) -> None:
    spec = make_spec(dup_spec("", ""))
    batch = run(
        spec,
        [{"wh": "W", "sku": "A", "qty": "x", "ts": None}, {"wh": "W", "sku": "A", "qty": "1", "ts": None}],
    )
    assert batch.valid["on_hand"].tolist() == [Decimal("1.0000")]
    assert [r.rule for r in batch.rejects] == ["cast:on_hand"]


def test_source_offsets_must_match_the_rows(make_spec: Any) -> None:
    mapping = compile_mapping(make_spec(SPEC), reference=PRODUCTS)
    with pytest.raises(MappingError, match=r"^test/stock: 1 source offsets for 2 rows$"):
        mapping.apply(pd.DataFrame({"wh": ["W", "W"]}), source_offsets=["a"])


def test_a_spec_with_lookups_needs_their_reference_keys(make_spec: Any) -> None:
    with pytest.raises(MappingError, match=r"reference keys for lookups products\.sku were not supplied"):
        compile_mapping(make_spec(SPEC))


def test_an_empty_batch_maps_to_nothing(make_spec: Any, run: Any) -> None:
    batch = run(make_spec(SPEC), pd.DataFrame({"wh": [], "sku": []}), reference=PRODUCTS)
    assert (batch.read, batch.loaded, batch.rejected) == (0, 0, 0)
    assert batch.valid.columns.tolist() == ["location_code", "sku", "lot", "on_hand", "as_of"]


def test_a_spec_with_unit_conversions_needs_reference_data(make_spec: Any) -> None:
    spec = make_spec("fields:\n  location_code: wh\n  sku: sku\n  on_hand: {from: q, unit: {from: u}}\n")
    with pytest.raises(MappingError, match=r"^test/stock: unit conversions need reference data"):
        compile_mapping(spec)


def test_a_batch_with_two_columns_of_one_name_is_refused(make_spec: Any) -> None:
    mapping = compile_mapping(make_spec("fields:\n  location_code: wh\n  sku: sku\n"))
    frame = pd.DataFrame([["W", "A", "B"]], columns=["wh", "sku", "sku"])
    with pytest.raises(MappingError, match=r"^test/stock: the batch has several columns named sku$"):
        mapping.apply(frame)
