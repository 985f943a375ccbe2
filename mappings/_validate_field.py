"""Resolve one field of a spec: cast plan, transforms, value map, default, checks, conversions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mappings._temporal import UNIX_FORMATS
from mappings._yaml import SourceMap, SpecPath
from mappings.casts import CastPlan, cast_scalar
from mappings.expr import Expr
from mappings.kinds import COMPATIBLE_CASTS, Cast, ColumnInfo, table_columns
from mappings.plan import CurrencyPlan, FieldCheck, FieldPlan, UnitPlan
from mappings.spec import FieldSpec
from mappings.text import Transform, build_transform

__all__ = ["FIELD_CHECK_OPS", "resolve_field", "spec_text"]

FIELD_CHECK_OPS = ("ge", "gt", "le", "lt", "eq", "ne", "in", "not_in", "regex", "min_length", "max_length")
_SYMBOL = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "eq": "==", "ne": "!="}


def spec_text(where: SourceMap, path: SpecPath, value: object) -> str | None:
    """A spec scalar as the text the engine casts: what was written in the YAML file if known."""
    if value is None:
        return None
    if path in where.raw and not isinstance(value, list | dict):
        return where.raw[path]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def resolve_field(
    name: str, fs: FieldSpec, column: ColumnInfo | None, kind: Cast, expr: Expr | None, where: SourceMap
) -> FieldPlan:
    """Check a field's options against its kind and build its ``FieldPlan``."""
    path: SpecPath = ("fields", name)

    def fail(problem: str, *key: str | int) -> NoReturn:
        raise where.error(problem, (*path, *key))

    modes = [key for key in ("from", "value", "expr") if fs.given("source" if key == "from" else key)]
    if len(modes) > 1:
        fail(f"use only one of from, value and expr (got {' and '.join(modes)})", modes[1])
    reads_column = not modes or modes == ["from"]
    cast = _cast_plan(fs, column, kind, fail)
    if (fs.transform or fs.map is not None) and (not reads_column or cast.parse == "json"):
        fail(
            "transform and map apply to values read from a source column",
            "transform" if fs.transform else "map",
        )
    transforms: list[Transform] = []
    for index, entry in enumerate(fs.transform):
        try:
            transforms.append(build_transform(entry))
        except ValueError as exc:
            fail(str(exc), "transform", index)
    if fs.given("unmapped") and fs.map is None:
        fail("unmapped applies to a value map: add map", "unmapped")
    value_map = None
    if fs.map is not None:
        value_map = {str(key): spec_text(where, (*path, "map", key), value) for key, value in fs.map.items()}
        for key, text in value_map.items():
            if text is None:
                continue
            try:
                cast_scalar(text, cast)
            except ValueError as exc:
                fail(f"map value {exc}", "map", key)
    if cast.kind == "json":  # JSON columns take the spec's value as written, not as text
        const, default = fs.value, fs.default
    else:
        const = _typed(
            spec_text(where, (*path, "value"), fs.value), cast, lambda p: fail(f"value {p}", "value")
        )
        default = _typed(
            spec_text(where, (*path, "default"), fs.default), cast, lambda p: fail(f"default {p}", "default")
        )
    if fs.required and default is not None:
        fail("required and default exclude each other: a default fills missing values", "required")
    if fs.lookup is not None:
        _check_lookup(fs.lookup, lambda p: fail(p, "lookup"))
    return FieldPlan(
        name=name,
        output=column is not None,
        source=(fs.source or name) if reads_column else None,
        const=const,
        has_const=fs.given("value"),
        expr=expr,
        transforms=tuple(transforms),
        value_map=value_map,
        unmapped=fs.unmapped,
        cast=cast,
        default=default,
        has_default=default is not None,
        required=fs.required,
        implicit_required=column is not None and not column.nullable and default is None and not fs.required,
        lookup=fs.lookup,
        unit=_unit(fs, kind, lambda p, *k: fail(p, "unit", *k)),
        currency=_currency(fs, kind, lambda p, *k: fail(p, "currency", *k)),
        checks=tuple(_checks(fs, cast, where, path, fail)),
        deps=tuple(sorted((expr.names if expr else frozenset()) | ({fs.unit.sku} if fs.unit else set()))),
    )


def _cast_plan(
    fs: FieldSpec, column: ColumnInfo | None, kind: Cast, fail: Callable[..., NoReturn]
) -> CastPlan:
    parse = fs.cast or kind
    if parse not in COMPATIBLE_CASTS[kind]:
        fail(
            f"cast {parse!r} does not fit column {column.name!r} of kind {kind}"
            if column
            else f"cast {parse!r} cannot produce {kind}",
            "cast",
        )
    temporal = parse in ("date", "datetime")
    formats: tuple[str, ...] = ()
    if fs.format is not None:
        formats = (fs.format,) if isinstance(fs.format, str) else tuple(fs.format)
        if not temporal:
            fail("format applies to date and datetime casts", "format")
        for fmt in formats:
            special = fmt == "ISO8601" or (parse == "datetime" and fmt in UNIX_FORMATS)
            if not special and "%" not in fmt:
                fail(
                    f"format {fmt!r} is not a strftime pattern (e.g. '%Y-%m-%d'), "
                    f"ISO8601{', unix or unix_ms' if parse == 'datetime' else ''}",
                    "format",
                )
            if not special:
                problem = _strftime_problem(fmt)
                if problem:
                    fail(f"format {fmt!r}: {problem}", "format")
    if fs.timezone is not None:
        if not temporal:
            fail("timezone applies to date and datetime casts", "timezone")
        try:
            ZoneInfo(fs.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            fail(f"unknown timezone {fs.timezone!r} (use an IANA name such as Asia/Shanghai)", "timezone")
    if kind != "decimal" and (fs.scale is not None or fs.rounding is not None):
        fail("scale and rounding apply to decimal fields", "scale" if fs.scale is not None else "rounding")
    scale = fs.scale if fs.scale is not None else (column.scale if column else None)
    if column is not None and column.scale is not None and scale is not None and scale > column.scale:
        fail(f"scale {scale} is finer than the column's {column.scale} decimal places", "scale")
    max_int = None
    if column is not None and column.precision is not None and column.scale is not None:
        max_int = column.precision - column.scale
    return CastPlan(
        kind=kind,
        parse=parse,
        formats=formats,
        timezone=fs.timezone or "UTC",
        scale=scale,
        rounding=fs.rounding or "half_up",
        max_int_digits=max_int,
        length=column.length if column else None,
        int_bits=column.int_bits if column else None,
    )


def _strftime_problem(fmt: str) -> str | None:
    try:
        datetime.strptime("", fmt)
    except ValueError:
        return None  # the pattern compiled; the empty text just does not match it
    except re.error as exc:  # e.g. the same directive twice
        return str(exc).split(" at position")[0]
    return None


def _typed(text: str | None, cast: CastPlan, fail: Callable[[str], NoReturn]) -> Any:
    if text is None:
        return None
    try:
        return cast_scalar(text, cast)
    except ValueError as exc:
        fail(str(exc))


def _check_lookup(ref: str, fail: Callable[[str], NoReturn]) -> None:
    table, _, col = ref.partition(".")
    columns = table_columns(table)
    if columns is None or not col:
        fail(f"lookup {ref!r} must name a canonical table and column, e.g. products.sku")
    if col not in columns:
        fail(f"lookup {ref!r}: {table} has no column {col!r}")


def _unit(fs: FieldSpec, kind: Cast, fail: Callable[..., NoReturn]) -> UnitPlan | None:
    if fs.unit is None:
        return None
    if kind not in ("int", "decimal"):
        fail(f"unit conversion needs a number field, not {kind}")
    if fs.unit.source is None and fs.unit.default is None:
        fail("unit needs from (the source column with the unit code) or default")
    return UnitPlan(source=fs.unit.source, sku_field=fs.unit.sku, default=fs.unit.default)


def _currency(fs: FieldSpec, kind: Cast, fail: Callable[..., NoReturn]) -> CurrencyPlan | None:
    spec = fs.currency
    if spec is None:
        return None
    if kind != "decimal":
        fail(f"currency conversion needs a decimal field, not {kind}")
    if spec.source is None and spec.default is None:
        fail("currency needs from (the source column with the currency code) or default")
    for code, rate in spec.rates.items():
        if not re.fullmatch(r"[A-Z]{3}", code) or rate <= 0:
            fail(f"rates: {code}: {rate} is not an ISO 4217 code with a positive rate", "rates", code)
    rates = {**spec.rates, spec.to: Decimal(1)}
    return CurrencyPlan(source=spec.source, to=spec.to, default=spec.default, rates=rates)


def _checks(
    fs: FieldSpec, cast: CastPlan, where: SourceMap, path: SpecPath, fail: Callable[..., NoReturn]
) -> list[FieldCheck]:
    bound = CastPlan(kind=cast.kind, parse=cast.kind, formats=cast.formats, timezone=cast.timezone)
    out: list[FieldCheck] = []
    for index, entry in enumerate(fs.checks):
        for op, operand in entry.items():
            at = (*path, "checks", index, op)

            def bad(problem: str, op: str = op, index: int = index) -> NoReturn:
                fail(f"check {op}: {problem}", "checks", index, op)

            if op not in FIELD_CHECK_OPS:
                bad(f"unknown check (expected one of: {', '.join(FIELD_CHECK_OPS)})")
            if operand is None or (isinstance(operand, list) and None in operand):
                bad("needs a value")
            if op in _SYMBOL:
                if cast.kind in ("bool", "json") and op not in ("eq", "ne"):
                    bad(f"{cast.kind} values have no order")
                typed = _typed(spec_text(where, at, operand), bound, bad)
                out.append(FieldCheck(op, typed, f"{_SYMBOL[op]} {operand}"))
            elif op in ("in", "not_in"):
                if not isinstance(operand, list) or not operand:
                    bad("needs a list of values")
                typed_list = [
                    _typed(spec_text(where, (*at, i), v), bound, bad) for i, v in enumerate(operand)
                ]
                out.append(FieldCheck(op, typed_list, f"{'in' if op == 'in' else 'not in'} {operand}"))
            elif cast.kind != "string":
                bad("applies to string fields")
            elif op == "regex":
                try:
                    out.append(FieldCheck(op, re.compile(str(operand)).pattern, f"matching {operand!r}"))
                except re.error as exc:
                    bad(f"bad regular expression: {exc}")
            else:
                if not isinstance(operand, int) or isinstance(operand, bool) or operand < 0:
                    bad("needs a whole number of characters")
                out.append(FieldCheck(op, operand, f"{op.replace('_', ' ')} {operand}"))
    return out
