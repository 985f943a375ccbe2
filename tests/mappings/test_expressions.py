"""The expression language evaluates arithmetic and comparisons over fields — and nothing else."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mappings.errors import MappingSpecError
from mappings.expr import ExprError, compile_expr
from mappings.vec import Vec

TYPES: dict[str, Any] = {"qty": "number", "price": "number", "code": "string", "ok": "bool", "day": "date"}


def numbers(*values: str | None) -> Vec:
    return Vec(
        np.array([Decimal(v or 0) for v in values], dtype=object), np.array([v is None for v in values])
    )


def bools(*values: bool | None) -> Vec:
    return Vec(np.array([bool(v) for v in values]), np.array([v is None for v in values]))


REFUSED = [
    ("__import__('os')", "function '__import__' is not allowed"),
    ("qty.__class__", "attribute access"),
    ("code[0]", "indexing"),
    ("(lambda: 1)()", "is not allowed"),
    ("[q for q in qty]", "ListComp"),
    ("qty ** 99999999", "arithmetic needs numbers"),
    ("qty // 2", "arithmetic needs numbers"),
    ("open('/etc/passwd')", "function 'open' is not allowed"),
    ("eval('1')", "function 'eval' is not allowed"),
    ("f'{qty}'", "f-strings"),
    ("(x := 1)", "assignment"),
    ("globals", "unknown name 'globals'"),
    ("qty + code", "arithmetic needs numbers (got number and string)"),
    ("code > 1", "cannot compare string with number"),
    ("qty and ok", "is number, expected a condition"),
    ("qty if code else 0", "expected a condition"),
    ("qty == None", "literal None is not allowed"),
    ("round(qty, price)", "round(x, digits) needs a whole number of digits"),
    ("qty +", "cannot parse expression"),
    ("1+" * 200 + "1", "more than 300 parts"),
    ("1+" * 600 + "1", "longer than 1000 characters"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_anything_outside_the_language_is_refused_at_compile_time(text: str, message: str) -> None:
    with pytest.raises(ExprError) as caught:
        compile_expr(text, TYPES)
    assert message in str(caught.value)


def test_a_refused_expression_in_a_spec_is_a_spec_error_and_never_runs(
    make_spec: Any, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(
        MappingSpecError,
        match=r"^mappings/test/stock\.yaml:7: field '_x': function .*__import__.* is not allowed",
    ):
        make_spec(f"""
            fields:
              location_code: {{value: W}}
              sku: {{value: A}}
              _x: {{expr: "__import__('pathlib').Path('{marker}').touch()"}}
            """)
    assert not marker.exists()


def test_arithmetic_is_exact_decimal() -> None:
    expr = compile_expr("qty * price + 0.1", TYPES)
    result, error = expr.evaluate({"qty": numbers("0.1", "3"), "price": numbers("3", "0.2")}, 2)
    assert result.values.tolist() == [Decimal("0.4"), Decimal("0.7")]
    assert not error.any() and expr.names == {"qty", "price"}


def test_nulls_propagate_and_logic_is_three_valued() -> None:
    values = {"qty": numbers("1", None, None), "ok": bools(False, True, None)}
    arithmetic, _ = compile_expr("qty + 1", TYPES).evaluate(values, 3)
    assert arithmetic.null.tolist() == [False, True, True]
    conj, _ = compile_expr("ok and qty > 0", TYPES).evaluate(values, 3)
    assert (conj.values.tolist(), conj.null.tolist()) == ([False, False, False], [False, True, True])
    disj, _ = compile_expr("ok or qty > 0", TYPES).evaluate(values, 3)
    assert (disj.values.tolist(), disj.null.tolist()) == ([True, True, False], [False, False, True])
    tested, _ = compile_expr("is_null(qty) and not_null(ok)", TYPES).evaluate(values, 3)
    assert (tested.values.tolist(), tested.null.tolist()) == ([False, True, False], [False, False, False])


def test_division_by_zero_marks_the_row_instead_of_raising() -> None:
    result, error = compile_expr("qty / price", TYPES).evaluate(
        {"qty": numbers("1", "1"), "price": numbers("4", "0")}, 2
    )
    assert result.values[0] == Decimal("0.25")
    assert error.tolist() == [False, True]


def test_membership_chains_and_functions() -> None:
    values = {
        "qty": numbers("5", "-2", "12"),
        "code": Vec(np.array(["A", "B", "C"], dtype=object), np.zeros(3, dtype=bool)),
    }
    inside, _ = compile_expr("0 <= qty < 10 and code in ['A', 'B']", TYPES).evaluate(values, 3)
    assert inside.values.tolist() == [True, False, False]
    clipped, _ = compile_expr("max(min(qty, 10), 0)", TYPES).evaluate(values, 3)
    assert clipped.values.tolist() == [Decimal(5), Decimal(0), Decimal(10)]
    absolute, _ = compile_expr("abs(qty) - -1", TYPES).evaluate(values, 3)
    assert absolute.values.tolist() == [Decimal(6), Decimal(3), Decimal(13)]
    joined, _ = compile_expr("code + '-x'", TYPES).evaluate(values, 3)
    assert joined.values.tolist() == ["A-x", "B-x", "C-x"]
