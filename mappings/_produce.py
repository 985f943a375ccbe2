"""Produce one field's values for a batch: read, transform, map, cast, convert, default, require."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mappings._expr_ops import as_numbers
from mappings.casts import CastResult, finish, parse_series
from mappings.plan import CurrencyPlan, FieldPlan, UnitPlan
from mappings.rejects import Failure, Step, show
from mappings.text import TEXT_DTYPE, apply_value_map, as_text, blank_to_null, clean_text, to_objects
from mappings.vec import Mask, Vec

__all__ = ["Batch", "produce_field"]

_ONE = np.array(Decimal(1), dtype=object)


class Batch:
    """One batch in flight: the source frame (0..n-1 index), field values, failures so far."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.n = len(frame)
        self.vecs: dict[str, Vec] = {}
        self.bad: dict[str, Mask] = {}
        self.failures: list[Failure] = []
        self._missing = pd.Series([None] * self.n, dtype=object)
        self._raw: dict[str, npt.NDArray[np.object_]] = {}

    def column(self, name: str) -> pd.Series[Any]:
        """A source column; an absent one reads as all missing (drift is reported separately)."""
        return self.frame[name] if name in self.frame.columns else self._missing

    def raw(self, name: str | None, pos: int) -> object:
        """The source value of ``name`` at row ``pos`` (``None`` if the column is absent)."""
        if name is None or name not in self.frame.columns:
            return None
        if name not in self._raw:  # reasons read single cells: index a numpy array, not a Series
            self._raw[name] = self.frame[name].to_numpy(dtype=object)
        return self._raw[name][pos]

    def fail(self, step: Step, order: int, rule: str, mask: Mask, describe: Any) -> None:
        """Record a failing rule if any row fails it."""
        if mask.any():
            self.failures.append(Failure(step, order, rule, mask, describe))


class Units:
    """Unit-conversion factors compiled for vectorised lookups."""

    def __init__(self, factors: Mapping[tuple[str, str], Decimal], base_units: Mapping[str, str]) -> None:
        self.factors = pd.Series({f"{sku}\x1f{unit}": f for (sku, unit), f in factors.items()}, dtype=object)
        self.base = pd.Series(dict(base_units), dtype=object)


def produce_field(
    fp: FieldPlan, order: int, batch: Batch, units: Units | None, fx: Mapping[tuple[str, str], Decimal]
) -> None:
    """Compute ``fp`` into ``batch.vecs`` and record its required/cast/map/conversion failures."""
    n, name = batch.n, fp.name
    deps_bad = np.zeros(n, dtype=bool)
    for dep in fp.deps:
        deps_bad |= batch.bad[dep]
    own = np.zeros(n, dtype=bool)

    def source_value(pos: int) -> str:
        return show(batch.raw(fp.source, pos))

    if fp.expr is not None:
        env = {ref: _for_expr(batch.vecs[ref]) for ref in fp.expr.names}
        value, error = fp.expr.evaluate(env, n)
        error &= ~deps_bad
        batch.fail(
            Step.CAST,
            order,
            f"expr:{name}",
            error,
            lambda pos: f"{name}: cannot compute {fp.expr.text if fp.expr else ''} (division by zero)",
        )
        own |= error
        result = CastResult(value.with_nulls(fp.kind, error))
    elif fp.has_const:
        result = CastResult(Vec.full(fp.cast.kind, fp.const, n))
    else:
        source = batch.column(fp.source or name)
        if fp.transforms or fp.value_map is not None or fp.cast.parse == "string":
            source = as_text(source)
            for transform in fp.transforms:
                source = transform(source)
            source = blank_to_null(source)
        if fp.value_map is not None:
            source, unmapped = apply_value_map(source, fp.value_map, fp.unmapped)
            if fp.unmapped == "reject":
                known = ", ".join(sorted(fp.value_map))
                batch.fail(
                    Step.MAP,
                    order,
                    f"map:{name}",
                    unmapped,
                    lambda pos: f"{name}: {source_value(pos)} is not in the value map (known: {known})",
                )
                own |= unmapped
        result = parse_series(source, fp.cast)
    vec = result.vec
    unreadable = result.failed  # not convertible: they are reported as cast failures below
    if fp.unit is not None and units is not None:
        vec, failed = _convert_units(fp, fp.unit, vec, batch, units, own | deps_bad | unreadable, order)
        own |= failed
    if fp.currency is not None:
        vec, failed = _convert_currency(fp, fp.currency, vec, batch, fx, own | unreadable, order)
        own |= failed
    result = finish(CastResult(vec, result.failures), fp.cast)
    for mask, problem in result.failures:
        mask = mask & ~deps_bad & ~own
        describe = (
            (lambda pos, p=problem: f"{name}: {source_value(pos)} {p}")
            if fp.source
            else (lambda pos, p=problem: f"{name}: the computed value {p}")
        )
        batch.fail(Step.CAST, order, f"cast:{name}", mask, describe)
        own |= mask
    vec = result.vec
    if fp.has_default:
        vec = vec.fill(vec.null & ~own, fp.default)
    if fp.required or fp.implicit_required:
        missing = vec.null & ~own & ~deps_bad
        why = "" if fp.required else " (the column cannot be empty: map a value or add a default)"
        batch.fail(Step.REQUIRED, order, f"required:{name}", missing, lambda pos: f"{name} is missing{why}")
        own |= missing
    batch.vecs[name] = vec.with_nulls(fp.kind, own) if own.any() else vec
    batch.bad[name] = own | deps_bad


def _for_expr(vec: Vec) -> Vec:
    return as_numbers(vec) if vec.values.dtype == np.int64 else vec


def _codes(batch: Batch, source: str | None, default: str | None) -> pd.Series[Any]:
    codes = clean_text(batch.column(source)) if source else pd.Series([None] * batch.n, dtype=TEXT_DTYPE)
    codes = codes.str.upper()
    return codes.fillna(default.upper()) if default else codes


def _convert_units(
    fp: FieldPlan, unit: UnitPlan, vec: Vec, batch: Batch, units: Units, skip: Mask, order: int
) -> tuple[Vec, Mask]:
    codes = _codes(batch, unit.source, unit.default)
    skus = batch.vecs[unit.sku_field]
    sku_text = pd.Series(skus.values, dtype=object).astype(TEXT_DTYPE).mask(skus.null)
    sku_values = to_objects(sku_text)
    base = to_objects(sku_text.map(units.base))
    code_values = to_objects(codes)
    is_base = (code_values == "BASE") | (code_values == base)
    factor = to_objects((sku_text + "\x1f" + codes).map(units.factors))
    factor = np.where(is_base, _ONE, factor)
    applicable = ~vec.null & ~skus.null & ~batch.bad[unit.sku_field] & ~skip
    no_code = applicable & codes.isna().to_numpy(dtype=bool)
    unknown = applicable & ~no_code & np.asarray(pd.isna(factor), dtype=bool)

    def why(pos: int) -> str:
        if no_code[pos]:
            return f"{fp.name}: the unit is missing"
        sku = show(sku_values[pos])
        if base[pos] is None:
            return f"{fp.name}: product {sku} has no base unit in the reference data"
        return f"{fp.name}: no conversion from {show(code_values[pos])} to the base unit of {sku}"

    batch.fail(Step.CONVERT, order, f"unit:{fp.name}", no_code | unknown, why)
    return _scale(vec, factor, applicable & ~no_code & ~unknown, no_code | unknown), no_code | unknown


def _convert_currency(
    fp: FieldPlan,
    plan: CurrencyPlan,
    vec: Vec,
    batch: Batch,
    fx: Mapping[tuple[str, str], Decimal],
    skip: Mask,
    order: int,
) -> tuple[Vec, Mask]:
    codes = _codes(batch, plan.source, plan.default)
    rates = {source: rate for (source, target), rate in fx.items() if target == plan.to}
    rates.update(plan.rates)
    rate = to_objects(codes.map(pd.Series(rates, dtype=object)))
    code_values = to_objects(codes)
    applicable = ~vec.null & ~skip
    no_code = applicable & codes.isna().to_numpy(dtype=bool)
    unknown = applicable & ~no_code & np.asarray(pd.isna(rate), dtype=bool)

    def why(pos: int) -> str:
        if no_code[pos]:
            return f"{fp.name}: the currency is missing"
        return f"{fp.name}: no rate from {show(code_values[pos])} to {plan.to}"

    batch.fail(Step.CONVERT, order, f"currency:{fp.name}", no_code | unknown, why)
    return _scale(vec, rate, applicable & ~no_code & ~unknown, no_code | unknown), no_code | unknown


def _scale(vec: Vec, factor: Any, ok: Mask, failed: Mask) -> Vec:
    numbers = as_numbers(vec)
    values = numbers.values.copy()
    if ok.any():
        values[ok] = values[ok] * factor[ok]
    return Vec(values, numbers.null).with_nulls("decimal", failed)
