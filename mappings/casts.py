"""Vectorised, exact casts from source values to a kind (see ``mappings.vec`` for the result).

Every cast returns a ``Vec`` and a list of ``(mask, problem)`` pairs: rows in a mask could
not be cast, and ``problem`` completes the sentence "<field>: <value> ..." in the reject
reason. Decimals are parsed from their text, never through a binary float; ``1,2``,
``abc`` and ``NaN`` are failures, not zeros.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Context, Decimal
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from mappings._temporal import cast_date, cast_datetime
from mappings.kinds import Cast, Rounding
from mappings.text import as_text, clean_text
from mappings.vec import Mask, Vec, placeholder

__all__ = ["CastPlan", "CastResult", "cast_scalar", "cast_series"]

_TO_DECIMAL = np.frompyfunc(Decimal, 1, 1)
_ROUNDING = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
    "reject": ROUND_HALF_EVEN,
}
# Quantizing needs room for every digit of the result; magnitudes are bounded before.
_WIDE = Context(prec=80)
_INT_PATTERN = r"[+-]?\d{1,18}(?:\.0*)?"
_DECIMAL_PATTERN = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
_TRUE = ("true", "t", "yes", "y", "1", "on", "是")
_FALSE = ("false", "f", "no", "n", "0", "off", "否")
_DEFAULT_INT_DIGITS = 24
_INT64_LIMIT = Decimal(2) ** 63
_DEC_ZERO = np.array(Decimal(0), dtype=object)
_TO_INT = np.frompyfunc(int, 1, 1)  # helper decimals without a column: still bounded


@dataclass(frozen=True)
class CastPlan:
    """How a field's source values become its kind."""

    kind: Cast
    parse: Cast
    formats: tuple[str, ...] = ()
    timezone: str = "UTC"
    scale: int | None = None
    rounding: Rounding = "half_up"
    max_int_digits: int | None = None
    length: int | None = None
    int_bits: int | None = None


@dataclass
class CastResult:
    """Cast values and the rows that failed, with a problem text per failure kind."""

    vec: Vec
    failures: list[tuple[Mask, str]] = field(default_factory=list)

    @property
    def failed(self) -> Mask:
        """All rows that failed for any reason."""
        out = np.zeros(len(self.vec.null), dtype=bool)
        for mask, _ in self.failures:
            out |= mask
        return out


def cast_series(series: pd.Series[Any], plan: CastPlan) -> CastResult:
    """Cast a source column (any dtype; text is stripped for non-string kinds) to ``plan.kind``."""
    return finish(parse_series(series, plan), plan)


def parse_series(series: pd.Series[Any], plan: CastPlan) -> CastResult:
    """Read a source column as ``plan.parse`` without the final scale and size checks."""
    parse = plan.parse
    if parse == "json":
        values = series.to_numpy(dtype=object, copy=True)
        null = np.asarray(series.isna(), dtype=bool)
        values[null] = None
        return CastResult(Vec(values, null))
    if parse == "string":
        result = _cast_string(as_text(series))
    elif parse == "int":
        result = _cast_int(series)
    elif parse == "decimal":
        result = _cast_decimal(series)
    elif parse == "bool":
        result = _cast_bool(series)
    elif parse == "date":
        vec, failures = cast_date(series, plan.formats, plan.timezone)
        result = CastResult(vec, failures)
    else:
        vec, failures = cast_datetime(series, plan.formats, plan.timezone)
        result = CastResult(vec, failures)
    return result


def finish(result: CastResult, plan: CastPlan) -> CastResult:
    """Bring a cast (or computed) value to the field's kind: int→decimal, scale, size limits."""
    vec = result.vec
    if plan.kind == "int" and vec.values.dtype == object:
        vec, failure = _whole_numbers(vec)
        result = CastResult(vec, [*result.failures, failure])
    if plan.kind == "decimal" and vec.values.dtype != object:
        vec = Vec(np.asarray(_TO_DECIMAL(vec.values), dtype=object), vec.null)
    if plan.kind == "decimal":
        vec, failures = _bound_decimal(vec, plan)
        result = CastResult(vec, [*result.failures, *failures])
    elif plan.kind == "string" and plan.length is not None:
        too_long = ~vec.null & (pd.Series(vec.values).str.len().to_numpy() > plan.length)
        result.failures.append((too_long, f"is longer than {plan.length} characters"))
    elif plan.kind == "int" and plan.int_bits is not None:
        limit = 2 ** (plan.int_bits - 1)
        out = ~vec.null & ((vec.values < -limit) | (vec.values >= limit))
        result.failures.append(
            (np.asarray(out, dtype=bool), f"is out of range for a {plan.int_bits}-bit integer")
        )
    failed = result.failed
    if failed.any():
        result.vec = result.vec.with_nulls(plan.kind, failed)
    return result


def cast_scalar(value: object, plan: CastPlan) -> object:
    """Cast one spec value (a default, a constant, a check bound) to the internal form of ``plan.kind``.

    Raises ``ValueError`` with the problem when it does not fit.
    """
    source = pd.Series([value], dtype=object)
    result = cast_series(source, plan)
    for mask, problem in result.failures:
        if mask[0]:
            raise ValueError(f"{value!r} {problem}")
    if result.vec.null[0]:
        raise ValueError(f"{value!r} is empty")
    return result.vec.values[0]


def _whole_numbers(vec: Vec) -> tuple[Vec, tuple[Mask, str]]:
    """Decimal results (of an expression or a conversion) into an int column: whole ones only."""
    values = vec.values
    fits = ~vec.null & np.asarray(np.abs(values) < _INT64_LIMIT, dtype=bool)
    safe = np.where(fits, values, _DEC_ZERO)
    whole = fits & np.asarray(safe % 1 == 0, dtype=bool)
    ints = np.asarray(_TO_INT(np.where(whole, safe, _DEC_ZERO)), dtype=object).astype(np.int64)
    return Vec(ints, vec.null), (~vec.null & ~whole, "is not a whole number")


def _cast_string(text: pd.Series[Any]) -> CastResult:
    values = text.to_numpy(dtype=object, na_value="")
    return CastResult(Vec(values, np.asarray(text.isna(), dtype=bool)))


def _cast_int(series: pd.Series[Any]) -> CastResult:
    n = len(series)
    if ptypes.is_integer_dtype(series.dtype):
        null = np.asarray(series.isna(), dtype=bool)
        return CastResult(Vec(series.to_numpy(dtype=np.int64, na_value=0), null))
    if ptypes.is_float_dtype(series.dtype):
        floats = series.to_numpy(dtype=np.float64, na_value=np.nan)
        null = np.isnan(floats)
        whole = ~null & np.isfinite(floats) & (floats == np.floor(floats)) & (np.abs(floats) < 2.0**53)
        values = np.where(whole, floats, 0).astype(np.int64)
        return CastResult(Vec(values, null), [(~null & ~whole, "is not a whole number")])
    text = clean_text(series)
    null = np.asarray(text.isna(), dtype=bool)
    ok = np.asarray(text.str.fullmatch(_INT_PATTERN).fillna(False), dtype=bool)
    values = np.zeros(n, dtype=np.int64)
    if ok.any():
        digits = text[ok].str.replace(r"\.0*$", "", regex=True)
        values[ok] = digits.astype("int64").to_numpy(dtype=np.int64)
    return CastResult(Vec(values, null), [(~null & ~ok, "is not a whole number")])


def _cast_decimal(series: pd.Series[Any]) -> CastResult:
    n = len(series)
    if ptypes.is_integer_dtype(series.dtype):
        null = np.asarray(series.isna(), dtype=bool)
        ints = series.to_numpy(dtype=object, na_value=0)
        return CastResult(Vec(np.asarray(_TO_DECIMAL(ints), dtype=object), null))
    # Floats go through their shortest repr ("0.1"), the value the source meant.
    text = clean_text(series)
    null = np.asarray(text.isna(), dtype=bool)
    ok = np.asarray(text.str.fullmatch(_DECIMAL_PATTERN).fillna(False), dtype=bool)
    values = np.empty(n, dtype=object)
    values[:] = placeholder("decimal")
    if ok.any():
        values[ok] = _TO_DECIMAL(text[ok].to_numpy(dtype=object))
    return CastResult(Vec(values, null), [(~null & ~ok, "is not a decimal number")])


def _bound_decimal(vec: Vec, plan: CastPlan) -> tuple[Vec, list[tuple[Mask, str]]]:
    """Round to the scale and refuse what the column cannot hold; never raises for a value."""
    int_digits = plan.max_int_digits if plan.max_int_digits is not None else _DEFAULT_INT_DIGITS
    limit = Decimal(10) ** int_digits
    values = vec.values
    too_big = ~vec.null & np.asarray(np.abs(values) >= limit, dtype=bool)
    if too_big.any():  # out before quantizing: a 100-digit value must not reach quantize()
        values = np.where(too_big, np.array(Decimal(0), dtype=object), values)
    failures: list[tuple[Mask, str]] = []
    if plan.scale is not None:
        quantum = Decimal(1).scaleb(-plan.scale)
        quantize = np.frompyfunc(
            operator.methodcaller("quantize", quantum, _ROUNDING[plan.rounding], _WIDE), 1, 1
        )
        rounded = np.asarray(quantize(values), dtype=object)
        if plan.rounding == "reject":
            inexact = ~vec.null & np.asarray(rounded != values, dtype=bool)
            failures.append((inexact, f"has more than {plan.scale} decimal places"))
        values = rounded
        too_big |= ~vec.null & np.asarray(np.abs(values) >= limit, dtype=bool)
    failures.insert(0, (too_big, f"has more than {int_digits} digits before the decimal point"))
    return Vec(values, vec.null), failures


def _cast_bool(series: pd.Series[Any]) -> CastResult:
    if ptypes.is_bool_dtype(series.dtype):
        null = np.asarray(series.isna(), dtype=bool)
        return CastResult(Vec(series.to_numpy(dtype=bool, na_value=False), null))
    text = clean_text(series).str.lower()
    null = np.asarray(text.isna(), dtype=bool)
    true = np.asarray(text.isin(_TRUE), dtype=bool)
    false = np.asarray(text.isin(_FALSE), dtype=bool)
    problem = f"is not a yes/no value (expected one of: {', '.join(_TRUE + _FALSE)})"
    return CastResult(Vec(true & ~null, null), [(~null & ~true & ~false, problem)])
