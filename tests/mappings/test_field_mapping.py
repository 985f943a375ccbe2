"""Table-driven tests, one table per transform kind: each input value maps to a value or a rule.

Every case maps one field of a real canonical table; the other required columns are filled
with constants and a ``row`` column keeps keys unique, so each row's outcome is its own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from mappings.engine import MappedBatch
from mappings.reference import ReferenceData

# Constants filling each table's other required columns; `row` is the key.
BASE = {
    "stock_levels": "  location_code: {value: WH1}\n  sku: {from: row}\n",
    "products": "  sku: {from: row}\n  name: {value: Widget}\n",
    "dealers": "  code: {from: row}\n  name: {value: Dealer}\n  level: {value: 2}\n",
    "payments": "  payment_no: {from: row}\n  channel: {value: alipay}\n",
}


class Rej:
    """Expected: the row is rejected with this rule."""

    def __init__(self, rule: str) -> None:
        self.rule = rule

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rej) and other.rule == self.rule

    def __repr__(self) -> str:
        return f"Rej({self.rule!r})"


def outcomes(batch: MappedBatch, field: str) -> list[Any]:
    """Per input row (in order): the mapped value of ``field`` or ``Rej(rule)``."""
    got: dict[str, Any] = {
        str(k): v for k, v in zip(batch.valid.index.astype(str), batch.valid[field], strict=True)
    }
    for reject in batch.rejects:
        got[str(reject.raw["row"])] = Rej(reject.rule)
    assert batch.loaded + batch.rejected == batch.read
    return [got[str(i)] for i in range(batch.read)]


def map_values(
    make_spec: Any,
    run: Any,
    entity: str,
    field_yaml: str,
    columns: dict[str, list[Any]],
    field: str,
    reference: ReferenceData | None = None,
) -> list[Any]:
    spec = make_spec(
        f"entity: {entity}\nsource: {{connector: test, stream: s}}\nfields:\n" + BASE[entity] + field_yaml
    )
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({"row": [str(i) for i in range(n)], **columns}, dtype=object)
    frame.index = pd.Index([str(i) for i in range(n)])
    return outcomes(run(spec, frame, reference=reference), field)


D = Decimal
CASTS = [
    pytest.param(
        "products",
        "  guide_price: {from: v}\n",
        ["1", "1.5", "-0.25", "1e3", " 2 ", 3, 4.1, "abc", "1,2", "", None, "NaN", "0x10"],
        [
            D("1.0000"),
            D("1.5000"),
            D("-0.2500"),
            D("1000.0000"),
            D("2.0000"),
            D("3.0000"),
            D("4.1000"),
            Rej("cast:guide_price"),
            Rej("cast:guide_price"),
            None,
            None,
            Rej("cast:guide_price"),
            Rej("cast:guide_price"),
        ],
        id="decimal-exact-from-text-ints-and-floats",
    ),
    pytest.param(
        "products",
        "  guide_price: {from: v}\n",
        ["1.23445", "-1.23445", "123456789012345", "99999999999999.9999"],
        [D("1.2345"), D("-1.2345"), Rej("cast:guide_price"), D("99999999999999.9999")],
        id="decimal-rounds-half-up-to-the-column-scale-and-refuses-overflow",
    ),
    pytest.param(
        "products",
        "  guide_price: {from: v, rounding: half_even, scale: 2}\n",
        ["1.245", "1.255"],
        [D("1.24"), D("1.26")],
        id="decimal-half-even-at-a-coarser-scale",
    ),
    pytest.param(
        "products",
        "  guide_price: {from: v, rounding: reject}\n",
        ["1.2345", "1.23456"],
        [D("1.2345"), Rej("cast:guide_price")],
        id="decimal-rounding-reject",
    ),
    pytest.param(
        "products",
        "  shelf_life_days: {from: v}\n",
        ["30", "+7", "12.0", 365, 30.0, "1.5", "x", "99999999999", ""],
        [
            30,
            7,
            12,
            365,
            30,
            Rej("cast:shelf_life_days"),
            Rej("cast:shelf_life_days"),
            Rej("cast:shelf_life_days"),
            None,
        ],
        id="int-whole-numbers-within-the-column-range",
    ),
    pytest.param(
        "dealers",
        "  contract_required: {from: v}\n",
        ["Y", "no", "TRUE", "是", 1, True, "maybe", None],
        [
            True,
            False,
            True,
            True,
            True,
            True,
            Rej("cast:contract_required"),
            Rej("required:contract_required"),
        ],
        id="bool-yes-no-vocabulary",
    ),
    pytest.param(
        "stock_levels",
        "  expiry_date: {from: v}\n",
        ["2024-01-05", "9999-12-31", "2024-02-30", "05/01/2024", ""],
        [date(2024, 1, 5), date(9999, 12, 31), Rej("cast:expiry_date"), Rej("cast:expiry_date"), None],
        id="date-iso-by-default-including-year-9999",
    ),
    pytest.param(
        "stock_levels",
        "  expiry_date: {from: v, format: ['%d/%m/%Y', '%Y%m%d']}\n",
        ["05/01/2024", "20240106", "2024-01-07", "31/02/2024"],
        [date(2024, 1, 5), date(2024, 1, 6), Rej("cast:expiry_date"), Rej("cast:expiry_date")],
        id="date-formats-tried-in-order",
    ),
    pytest.param(
        "stock_levels",
        "  as_of: {from: v, timezone: Asia/Shanghai}\n",
        [
            "2024-01-05 10:00:00",
            "2024-01-05T10:00:00+00:00",
            "2024-01-05T10:00:00Z",
            "2024-01-05",
            "2024-01-05T18:00:00+08:00",
            "yesterday",
        ],
        [
            datetime(2024, 1, 5, 2, tzinfo=UTC),
            datetime(2024, 1, 5, 10, tzinfo=UTC),
            datetime(2024, 1, 5, 10, tzinfo=UTC),
            datetime(2024, 1, 4, 16, tzinfo=UTC),
            datetime(2024, 1, 5, 10, tzinfo=UTC),
            Rej("cast:as_of"),
        ],
        id="datetime-naive-is-local-offsets-are-honoured-output-utc",
    ),
    pytest.param(
        "stock_levels",
        "  as_of: {from: v, format: unix}\n",
        [1704448800, "1704448800", "soon"],
        [datetime(2024, 1, 5, 10, tzinfo=UTC), datetime(2024, 1, 5, 10, tzinfo=UTC), Rej("cast:as_of")],
        id="datetime-unix-seconds",
    ),
    pytest.param(
        "stock_levels",
        "  as_of: {from: v, format: '%Y%m%d%H%M%S'}\n",
        ["20240105100000"],
        [datetime(2024, 1, 5, 10, tzinfo=UTC)],
        id="datetime-custom-format-naive-read-as-utc-by-default",
    ),
]


@pytest.mark.parametrize(("entity", "field_yaml", "values", "expected"), CASTS)
def test_casts(
    make_spec: Any, run: Any, entity: str, field_yaml: str, values: list[Any], expected: list[Any]
) -> None:
    field = field_yaml.split(":")[0].strip()
    got = map_values(make_spec, run, entity, field_yaml, {"v": values}, field)
    assert got == expected
    for value in got:  # exact types for the store, never numpy scalars or Timestamps
        if not isinstance(value, Rej) and value is not None:
            assert type(value) in (str, int, bool, Decimal, date, datetime)
            if isinstance(value, datetime):
                assert value.tzinfo is not None and value.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


TRANSFORMS = [
    pytest.param("stock_levels", "  lot: v\n", ["L1", " L2 "], ["L1", " L2 "], id="rename-shorthand"),
    pytest.param(
        "stock_levels",
        "  lot: {from: v, transform: [strip, upper]}\n",
        [" l1 ", "Lx"],
        ["L1", "LX"],
        id="strip-upper",
    ),
    pytest.param(
        "stock_levels",
        "  lot: {from: v, transform: [nfkc, collapse_spaces]}\n",
        ["ＬＯＴ１", "A　 B"],
        ["LOT1", "A B"],
        id="full-width-and-spaces",
    ),
    pytest.param(
        "dealers",
        "  region_code: {from: v, transform: [{zfill: 6}]}\n",
        ["11000", "310101"],
        ["011000", "310101"],
        id="zfill",
    ),
    pytest.param(
        "products",
        "  guide_price: {from: v, transform: [{replace: {',': ''}}]}\n",
        ["1,234.50", "12"],
        [D("1234.5000"), D("12.0000")],
        id="replace-thousands-separator",
    ),
    pytest.param(
        "stock_levels",
        "  lot: {from: v, transform: [{regex_replace: {'^0+': ''}}, {prefix: 'L-'}]}\n",
        ["000123"],
        ["L-123"],
        id="regex-replace-and-prefix",
    ),
    pytest.param(
        "stock_levels",
        "  lot: {from: v}\n",
        ["X" * 40, "X" * 41],
        ["X" * 40, Rej("cast:lot")],
        id="longer-than-the-column-is-a-cast-failure",
    ),
]


@pytest.mark.parametrize(("entity", "field_yaml", "values", "expected"), TRANSFORMS)
def test_renames_and_string_transforms(
    make_spec: Any, run: Any, entity: str, field_yaml: str, values: list[Any], expected: list[Any]
) -> None:
    field = field_yaml.split(":")[0].strip()
    assert map_values(make_spec, run, entity, field_yaml, {"v": values}, field) == expected


VALUE_MAPS = [
    pytest.param(
        "  status: {from: v, map: {A: active, S: suspended}, default: active}\n",
        ["A", "S", "X", None],
        ["active", "suspended", Rej("map:status"), "active"],
        id="unmapped-reject",
    ),
    pytest.param(
        "  status: {from: v, map: {A: active}, unmapped: keep}\n",
        ["A", "frozen"],
        ["active", "frozen"],
        id="unmapped-keep",
    ),
    pytest.param(
        "  status: {from: v, map: {A: active, F: frozen}, unmapped: 'null', default: suspended}\n",
        ["F", "?"],
        ["frozen", "suspended"],
        id="unmapped-null-then-default",
    ),
    pytest.param(
        "  status: {from: v, map: {1: active, 2: frozen}}\n",
        [1, "2", 2.0],
        ["active", "frozen", Rej("map:status")],
        id="keys-match-as-text",
    ),
    pytest.param(
        "  grade: {from: v, transform: [upper], map: {GOLD: A, SILVER: B}}\n",
        ["gold", "Silver"],
        ["A", "B"],
        id="transform-then-map",
    ),
]


@pytest.mark.parametrize(("field_yaml", "values", "expected"), VALUE_MAPS)
def test_value_maps(
    make_spec: Any, run: Any, field_yaml: str, values: list[Any], expected: list[Any]
) -> None:
    field = field_yaml.split(":")[0].strip()
    assert map_values(make_spec, run, "dealers", field_yaml, {"v": values}, field) == expected


def test_a_value_map_into_an_int_column_casts_the_mapped_value(make_spec: Any, run: Any) -> None:
    spec = make_spec("""
        entity: dealers
        source: {connector: erp, stream: dealers}
        fields:
          code: {from: row}
          name: {value: D}
          level: {from: v, map: {总代: 1, 一级: 2, 二级: 3}}
        """)
    batch = run(spec, [{"row": "a", "v": "总代"}, {"row": "b", "v": "二级"}, {"row": "c", "v": "三级"}])
    assert batch.valid["level"].tolist() == [1, 3]
    assert [r.rule for r in batch.rejects] == ["map:level"]
    assert batch.rejects[0].reason == "level: '三级' is not in the value map (known: 一级, 二级, 总代)"


DEFAULTS = [
    pytest.param(
        "  lot: {from: v, default: ''}\n",
        {"v": [None, "", "L1"]},
        "lot",
        ["", "", "L1"],
        id="default-fills-missing-and-blank",
    ),
    pytest.param(
        "  in_transit: {from: absent, default: 0}\n",
        {"v": [1, 2]},
        "in_transit",
        [D("0.0000"), D("0.0000")],
        id="default-when-the-source-column-is-absent",
    ),
    pytest.param("  lot: {value: BULK}\n", {"v": [1, 2]}, "lot", ["BULK", "BULK"], id="constant-value"),
    pytest.param(
        "  on_hand: {from: v}\n",
        {"v": ["1", None]},
        "on_hand",
        [D("1.0000"), Rej("required:on_hand")],
        id="a-not-null-column-without-default-is-required",
    ),
    pytest.param(
        "  lot: {from: v, transform: [strip]}\n  on_hand: {from: q, default: 0}\n",
        {"v": ["", " "], "q": [1, 1]},
        "lot",
        [Rej("required:lot"), Rej("required:lot")],
        id="blank-after-transforms-is-missing",
    ),
]


@pytest.mark.parametrize(("field_yaml", "columns", "field", "expected"), DEFAULTS)
def test_defaults_constants_and_required(
    make_spec: Any, run: Any, field_yaml: str, columns: dict[str, Any], field: str, expected: list[Any]
) -> None:
    assert map_values(make_spec, run, "stock_levels", field_yaml, columns, field) == expected


def test_required_rejects_missing_values_with_the_field_rule(make_spec: Any, run: Any) -> None:
    spec = make_spec("""
        fields:
          location_code: {from: wh, required: true}
          sku: {from: row}
        """)
    batch = run(spec, [{"row": "a", "wh": "W"}, {"row": "b", "wh": None}, {"row": "c", "wh": ""}])
    assert batch.valid["location_code"].tolist() == ["W"]
    assert [(r.rule, r.reason) for r in batch.rejects] == [
        ("required:location_code", "location_code is missing"),
        ("required:location_code", "location_code is missing"),
    ]


DERIVED = [
    pytest.param(
        "  _cases: {from: c, cast: int}\n  _per: {from: p, cast: decimal}\n"
        "  on_hand: {expr: '_cases * _per'}\n",
        {"c": ["2", "3", None], "p": ["12", "0.5", "1"]},
        [D("24.0000"), D("1.5000"), Rej("required:on_hand")],
        id="product-of-helpers-null-propagates",
    ),
    pytest.param(
        "  _a: {from: a, cast: decimal}\n  _b: {from: b, cast: decimal}\n  on_hand: {expr: '_a / _b'}\n",
        {"a": ["1", "1", "2"], "b": ["3", "0", "x"]},
        [D("0.3333"), Rej("expr:on_hand"), Rej("cast:_b")],
        id="division-exact-by-zero-rejects",
    ),
    pytest.param(
        "  _a: {from: a, cast: decimal}\n  on_hand: {expr: 'coalesce(_a, 0) + 1'}\n",
        {"a": [None, "1.5"]},
        [D("1.0000"), D("2.5000")],
        id="coalesce",
    ),
    pytest.param(
        "  _a: {from: a, cast: decimal}\n  on_hand: {expr: '_a if _a > 0 else 0'}\n",
        {"a": ["-5", "5"]},
        [D("0.0000"), D("5.0000")],
        id="conditional",
    ),
    pytest.param(
        "  _a: {from: a, cast: decimal}\n  on_hand: {expr: 'round(_a * 1.1, 1)'}\n",
        {"a": ["0.05"]},
        [D("0.1000")],
        id="round-half-up",
    ),
]


@pytest.mark.parametrize(("field_yaml", "columns", "expected"), DERIVED)
def test_derived_fields(
    make_spec: Any, run: Any, field_yaml: str, columns: dict[str, Any], expected: list[Any]
) -> None:
    assert map_values(make_spec, run, "stock_levels", field_yaml, columns, "on_hand") == expected


UNITS = ReferenceData.of(
    unit_factors={("A", "CS"): 12, ("A", "PK"): "0.5"}, base_units={"A": "EA", "B": "KG"}
)


def test_unit_conversion_to_the_base_unit_with_reference_factors(make_spec: Any, run: Any) -> None:
    spec = make_spec("""
        fields:
          location_code: {value: WH1}
          sku: {from: s}
          lot: {from: row}
          on_hand: {from: q, unit: {from: u, sku: sku}}
        """)
    rows = [
        ("A", "2", "CS"),
        ("A", "3", "pk"),
        ("A", "1", "EA"),
        ("A", "4", "ea"),
        ("A", "1", "BOX"),
        ("B", "7", "KG"),
        ("A", "1", None),
        ("Z", "1", "EA"),
    ]
    batch = run(
        spec, [{"row": str(i), "s": s, "q": q, "u": u} for i, (s, q, u) in enumerate(rows)], reference=UNITS
    )
    assert batch.valid["on_hand"].tolist() == [
        D("24.0000"),
        D("1.5000"),
        D("1.0000"),
        D("4.0000"),
        D("7.0000"),
    ]
    assert [(r.raw["row"], r.rule, r.reason) for r in batch.rejects] == [
        ("4", "unit:on_hand", "on_hand: no conversion from 'BOX' to the base unit of 'A'"),
        ("6", "unit:on_hand", "on_hand: the unit is missing"),
        ("7", "unit:on_hand", "on_hand: product 'Z' has no base unit in the reference data"),
    ]


def test_a_unit_default_of_base_reads_missing_units_as_base_units(make_spec: Any, run: Any) -> None:
    spec = make_spec("""
        fields:
          location_code: {value: WH1}
          sku: {from: s}
          lot: {from: row}
          on_hand: {from: q, unit: {from: u, default: base}}
        """)
    batch = run(
        spec,
        [{"row": "0", "s": "A", "q": "5", "u": None}, {"row": "1", "s": "A", "q": "1", "u": "CS"}],
        reference=UNITS,
    )
    assert batch.valid["on_hand"].tolist() == [D("5.0000"), D("12.0000")]


def test_currency_conversion_with_spec_rates_then_reference_rates(make_spec: Any, run: Any) -> None:
    field = "  amount: {from: a, currency: {from: c, to: CNY, default: CNY, rates: {USD: '7.10'}}}\n"
    values: dict[str, list[Any]] = {
        "a": ["100", "10.5", "5", "1", "2"],
        "c": ["USD", "CNY", None, "EUR", "JPY"],
    }
    reference = ReferenceData.of(fx_rates={("EUR", "CNY"): "7.8", ("USD", "CNY"): "999"})
    got = map_values(make_spec, run, "payments", field, values, "amount", reference=reference)
    assert got == [D("710.0000"), D("10.5000"), D("5.0000"), D("7.8000"), Rej("currency:amount")]


def test_a_missing_currency_without_default_is_rejected(make_spec: Any, run: Any) -> None:
    field = "  amount: {from: a, currency: {from: c, to: CNY, rates: {USD: '7.10'}}}\n"
    got = map_values(make_spec, run, "payments", field, {"a": ["1"], "c": [None]}, "amount")
    assert got == [Rej("currency:amount")]


def test_lookup_against_reference_keys(make_spec: Any, run: Any) -> None:
    spec = make_spec("""
        fields:
          location_code: {value: WH1}
          sku: {from: s, lookup: products.sku}
        """)
    batch = run(
        spec, [{"s": "A"}, {"s": "Z"}, {"s": "B"}], reference=ReferenceData.of({"products.sku": ["A", "B"]})
    )
    assert batch.valid["sku"].tolist() == ["A", "B"]
    assert [(r.rule, r.reason) for r in batch.rejects] == [
        ("lookup:sku", "sku: 'Z' is not a known products.sku")
    ]


def test_a_self_reference_may_point_at_a_row_of_the_same_batch(make_spec: Any, run: Any) -> None:
    spec = make_spec("""
        entity: dealers
        source: {connector: erp, stream: dealers}
        fields:
          code: {from: code}
          name: {value: D}
          level: {from: level}
          parent_code: {from: parent, lookup: dealers.code}
        """)
    rows = [
        {"code": "L1", "level": 2, "parent": "N1"},
        {"code": "N1", "level": 1, "parent": "BRAND"},
        {"code": "L2", "level": 3, "parent": "GHOST"},
    ]
    batch = run(spec, rows, reference=ReferenceData.of({"dealers.code": ["BRAND"]}))
    assert batch.valid["code"].tolist() == ["L1", "N1"]
    assert [r.rule for r in batch.rejects] == ["lookup:parent_code"]


FIELD_CHECKS = [
    pytest.param(
        "  on_hand: {from: v, checks: [{ge: 0}]}\n", ["0", "-1"], [D("0.0000"), Rej("check:on_hand")], id="ge"
    ),
    pytest.param(
        "  on_hand: {from: v, checks: [{gt: 0, le: 10}]}\n",
        ["10", "11", "0"],
        [D("10.0000"), Rej("check:on_hand"), Rej("check:on_hand")],
        id="gt-and-le",
    ),
    pytest.param("  lot: {from: v, checks: [{in: [A, B]}]}\n", ["A", "C"], ["A", Rej("check:lot")], id="in"),
    pytest.param(
        "  lot: {from: v, checks: [{regex: 'L[0-9]+'}, {max_length: 4}]}\n",
        ["L12", "L12345", "X1"],
        ["L12", Rej("check:lot"), Rej("check:lot")],
        id="regex-and-max-length",
    ),
    pytest.param(
        "  expiry_date: {from: v, checks: [{ge: 2000-01-01}]}\n",
        ["2024-01-01", "1999-12-31", None],
        [date(2024, 1, 1), Rej("check:expiry_date"), None],
        id="date-bound-skips-missing",
    ),
]


@pytest.mark.parametrize(("field_yaml", "values", "expected"), FIELD_CHECKS)
def test_field_checks(
    make_spec: Any, run: Any, field_yaml: str, values: list[Any], expected: list[Any]
) -> None:
    field = field_yaml.split(":")[0].strip()
    assert map_values(make_spec, run, "stock_levels", field_yaml, {"v": values}, field) == expected


def test_a_field_check_reason_names_the_value_and_the_rule(make_spec: Any, run: Any) -> None:
    spec = make_spec(
        "fields:\n  location_code: {value: W}\n  sku: {from: row}\n"
        "  on_hand: {from: v, checks: [{gt: 0}, {le: 10}]}\n"
    )
    batch = run(spec, [{"row": "a", "v": "-3"}])
    assert batch.rejects[0].reason == "on_hand: -3.0000 must be > 0"


def test_row_checks_reject_rows_where_the_rule_is_false_and_skip_missing_values(
    make_spec: Any, run: Any
) -> None:
    spec = make_spec("""
        fields:
          location_code: {value: W}
          sku: {from: row}
          on_hand: {from: oh}
          reserved: {from: r}
          expiry_date: {from: e}
        checks:
          - {rule: reserved_within_on_hand, expr: "reserved <= on_hand"}
          - {rule: fresh, expr: "expiry_date > '2024-01-01'", message: expired stock is not loaded}
        """)
    batch = run(
        spec,
        [
            {"row": "a", "oh": "5", "r": "5", "e": "2025-01-01"},
            {"row": "b", "oh": "5", "r": "6", "e": "2025-01-01"},
            {"row": "c", "oh": "5", "r": "1", "e": "2023-01-01"},
            {"row": "d", "oh": "5", "r": "1", "e": None},
        ],
    )
    assert batch.valid["sku"].tolist() == ["a", "d"]
    assert [(r.rule, r.reason) for r in batch.rejects] == [
        (
            "check:reserved_within_on_hand",
            "reserved_within_on_hand failed: reserved <= on_hand (on_hand=5.0000, reserved=6.0000)",
        ),
        ("check:fresh", "expired stock is not loaded (expiry_date=2023-01-01)"),
    ]


def test_an_empty_field_takes_the_same_named_source_column(make_spec: Any, run: Any) -> None:
    spec = make_spec("fields:\n  location_code:\n  sku: {value: A}\n  lot:\n")
    batch = run(spec, [{"location_code": "W1", "lot": "L1"}])
    assert batch.valid.to_dict("records") == [{"location_code": "W1", "sku": "A", "lot": "L1"}]


def test_a_json_column_takes_a_constant_as_written(make_spec: Any, run: Any) -> None:
    spec = make_spec("""
        entity: order_lines
        source: {connector: erp, stream: order_lines}
        fields:
          order_no: o
          line_no: {value: 1}
          sku: {value: A}
          qty: {value: 1}
          qty_base: {value: 1}
          applied_rules: {value: [{rule: base, pct: 0}]}
        """)
    batch = run(spec, [{"o": "SO1"}])
    assert batch.valid["applied_rules"].tolist() == [[{"rule": "base", "pct": 0}]]


def test_an_unreadable_quantity_is_a_cast_failure_not_also_a_unit_failure(make_spec: Any, run: Any) -> None:
    spec = make_spec(
        "fields:\n  location_code: {value: W}\n  sku: {value: A}\n  on_hand: {from: q, unit: {from: u}}\n"
    )
    batch = run(spec, [{"q": "abc", "u": "BOX"}], reference=UNITS)
    assert [(r.rule, r.reason) for r in batch.rejects] == [
        ("cast:on_hand", "on_hand: 'abc' is not a decimal number")
    ]
