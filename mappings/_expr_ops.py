"""Runtime of the expression language: vectorised operations over ``Vec`` with SQL null rules."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import numpy as np
import pandas as pd

from mappings.vec import Mask, Vec

__all__ = [
    "Env",
    "ExprError",
    "ExprType",
    "Node",
    "Run",
    "and_",
    "arith",
    "as_numbers",
    "build_call",
    "lift2",
    "map1",
    "not_",
    "or_",
    "round_half_up",
]

ExprType = Literal["number", "string", "bool", "date", "datetime", "json"]
_TO_DECIMAL = np.frompyfunc(Decimal, 1, 1)
_ONE = np.array(Decimal(1), dtype=object)
_ZERO = np.array(Decimal(0), dtype=object)


class ExprError(ValueError):
    """An expression is not allowed or does not type-check (message only; callers locate it)."""


class Env:
    """Variables of one evaluation, and the rows where something could not be computed."""

    def __init__(self, variables: Mapping[str, Vec], n: int) -> None:
        self.vars, self.n = variables, n
        self.error: Mask = np.zeros(n, dtype=bool)


Run = Callable[[Env], Vec]


@dataclass(frozen=True)
class Node:
    """A compiled sub-expression: its type, how to run it, and its value if it is a literal."""

    type: ExprType
    run: Run
    literal: object = None
    is_literal: bool = False


def lift2(left: Run, right: Run, fn: Callable[[Any, Any], Any]) -> Run:
    """Apply a vectorised binary ``fn``; null where either side is null."""

    def run(env: Env) -> Vec:
        a, b = left(env), right(env)
        return Vec(np.asarray(fn(a.values, b.values)), a.null | b.null)

    return run


def arith(left: Run, right: Run, fn: Callable[[Any, Any], Any]) -> Run:
    """Exact ``Decimal`` arithmetic; division by zero or overflow fails the row, not the batch."""

    def run(env: Env) -> Vec:
        a, b = left(env), right(env)
        null = a.null | b.null
        divisor = b.values
        if fn is operator.truediv:
            zero = np.asarray(divisor == 0, dtype=bool)
            env.error |= zero & ~null
            divisor = np.where(zero | null, _ONE, divisor)
        try:
            values = np.asarray(fn(a.values, divisor), dtype=object)
        except ArithmeticError:  # a huge operand overflowed: find the rows, keep the others
            values = np.frompyfunc(_guarded(fn), 2, 1)(a.values, divisor)
            failed = np.asarray(pd.isna(values), dtype=bool)
            env.error |= failed & ~null
            values = np.where(failed, _ZERO, values)
        return Vec(values, null)

    return run


def _guarded(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def safe(x: Any, y: Any) -> Any:
        try:
            return fn(x, y)
        except ArithmeticError:
            return None

    return safe


def map1(vec: Vec, fn: Callable[[Any], Any]) -> Vec:
    """Apply a vectorised unary ``fn`` to an object array."""
    return Vec(np.asarray(fn(vec.values), dtype=object), vec.null)


def not_(vec: Vec) -> Vec:
    """Logical not; null stays null."""
    return Vec(~vec.values.astype(bool), vec.null)


def and_(a: Vec, b: Vec) -> Vec:
    """SQL ``AND``: false wins over null, null wins over true."""
    false = (~a.null & ~a.values.astype(bool)) | (~b.null & ~b.values.astype(bool))
    true = (~a.null & a.values.astype(bool)) & (~b.null & b.values.astype(bool))
    return Vec(true, ~(true | false))


def or_(a: Vec, b: Vec) -> Vec:
    """SQL ``OR``: true wins over null, null wins over false."""
    true = (~a.null & a.values.astype(bool)) | (~b.null & b.values.astype(bool))
    false = (~a.null & ~a.values.astype(bool)) & (~b.null & ~b.values.astype(bool))
    return Vec(true, ~(true | false))


def round_half_up(values: Any, digits: int) -> Any:
    """Round an object array of ``Decimal`` to ``digits`` places, halves away from zero."""
    quantum = Decimal(1).scaleb(-digits)
    return np.frompyfunc(lambda d: d.quantize(quantum, rounding=ROUND_HALF_UP), 1, 1)(values)


def as_numbers(vec: Vec) -> Vec:
    """A number ``Vec`` as an object array of ``Decimal`` (ints converted exactly)."""
    if vec.values.dtype == object:
        return vec
    return Vec(np.asarray(_TO_DECIMAL(vec.values), dtype=object), vec.null)


def build_call(name: str, args: Sequence[Node]) -> tuple[ExprType, Run]:
    """Type-check a call of an allowed function and return its result type and runner."""
    types = [arg.type for arg in args]
    if name in ("is_null", "not_null"):
        _arity(name, args, 1)
        arg, want_null = args[0], name == "is_null"
        return "bool", lambda env: _null_test(arg.run(env), want_null)
    if name == "coalesce":
        if len(args) < 2 or len(set(types)) != 1:
            raise ExprError("coalesce() needs two or more arguments of one type")
        return types[0], lambda env: _coalesce([arg.run(env) for arg in args])
    if name == "abs":
        _arity(name, args, 1)
        _numbers(name, types)
        arg = args[0]
        return "number", lambda env: map1(arg.run(env), np.abs)
    if name in ("min", "max"):
        _arity(name, args, 2)
        if types[0] != types[1] or types[0] not in ("number", "string", "date", "datetime"):
            raise ExprError(f"{name}() needs two values of one ordered type")
        pick_left = operator.le if name == "min" else operator.ge
        left, right = args
        return types[0], lambda env: _pick(left.run(env), right.run(env), pick_left)
    # round(x, digits)
    _arity(name, args, 2)
    _numbers(name, types[:1])
    digits = args[1].literal
    if not (
        args[1].is_literal
        and isinstance(digits, Decimal)
        and digits == digits.to_integral_value()
        and 0 <= digits <= 18
    ):
        raise ExprError("round(x, digits) needs a whole number of digits between 0 and 18")
    value, places = args[0], int(digits)
    return "number", lambda env: map1(value.run(env), lambda v: round_half_up(v, places))


def _arity(name: str, args: Sequence[Node], count: int) -> None:
    if len(args) != count:
        raise ExprError(f"{name}() takes {count} argument{'s' if count > 1 else ''}, got {len(args)}")


def _numbers(name: str, types: Sequence[ExprType]) -> None:
    if any(t != "number" for t in types):
        raise ExprError(f"{name}() needs a number")


def _null_test(vec: Vec, want_null: bool) -> Vec:
    return Vec(vec.null.copy() if want_null else ~vec.null, np.zeros(len(vec.null), dtype=bool))


def _coalesce(vecs: list[Vec]) -> Vec:
    values, null = vecs[0].values.copy(), vecs[0].null.copy()
    for vec in vecs[1:]:
        take = null & ~vec.null
        values[take] = vec.values[take]
        null &= vec.null
    return Vec(values, null)


def _pick(a: Vec, b: Vec, pick_left: Callable[[Any, Any], Any]) -> Vec:
    left = np.asarray(pick_left(a.values, b.values), dtype=bool)
    return Vec(np.where(left, a.values, b.values), a.null | b.null)
