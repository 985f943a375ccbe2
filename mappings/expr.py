"""A small, safe expression language for derived fields and row checks.

Expressions are parsed with Python's ``ast`` module and never evaluated by Python: only a
whitelist of node kinds is accepted, compiled into vectorised numpy operations over the
spec's fields. Allowed:

- field names of the spec (target columns and ``_helper`` fields), literals (numbers are
  read as exact ``Decimal``; strings; ``True``/``False``);
- arithmetic ``+ - * /`` over numbers (``+`` also joins strings), unary ``-``;
- comparisons ``== != < <= > >=`` (chains allowed), ``in`` / ``not in`` a literal list;
  a date or datetime compared with a string literal reads the literal as ISO 8601;
- ``and``, ``or``, ``not`` (SQL three-valued logic), ``a if condition else b``;
- functions ``coalesce(a, b, ...)``, ``abs(x)``, ``min(a, b)``, ``max(a, b)``,
  ``round(x, digits)``, ``is_null(x)``, ``not_null(x)``.

Nulls propagate as in SQL: an operation with a null operand is null. Division by zero
marks the row as failed (the caller rejects it) instead of raising.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from mappings._expr_ops import (
    Env,
    ExprError,
    ExprType,
    Node,
    Run,
    and_,
    arith,
    build_call,
    lift2,
    map1,
    not_,
    or_,
)
from mappings.kinds import Cast
from mappings.vec import Mask, Vec

__all__ = ["FUNCTIONS", "TYPE_OF_KIND", "Expr", "ExprError", "ExprType", "compile_expr"]

TYPE_OF_KIND: dict[Cast, ExprType] = {
    "string": "string",
    "int": "number",
    "decimal": "number",
    "date": "date",
    "datetime": "datetime",
    "bool": "bool",
    "json": "json",
}
_KIND_OF_TYPE: dict[ExprType, Cast] = {
    "string": "string",
    "number": "decimal",
    "date": "date",
    "datetime": "datetime",
    "bool": "bool",
    "json": "json",
}
FUNCTIONS = ("coalesce", "abs", "min", "max", "round", "is_null", "not_null")
_MAX_LENGTH = 1000
_MAX_NODES = 300
_ARITH: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_CMP: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_ORDERED: frozenset[ExprType] = frozenset({"number", "string", "date", "datetime"})


@dataclass(frozen=True)
class Expr:
    """A compiled expression: its result type, the fields it reads, and how to run it."""

    text: str
    type: ExprType
    names: frozenset[str]
    _run: Run

    def evaluate(self, variables: Mapping[str, Vec], n: int) -> tuple[Vec, Mask]:
        """Run over ``n`` rows; ``variables`` maps each name in ``names`` to its ``Vec``.

        Numbers must come as object arrays of ``Decimal``. Returns the result and the mask of
        rows where it could not be computed (division by zero, overflow).
        """
        env = Env(variables, n)
        result = self._run(env)
        return result, env.error


def compile_expr(text: str, types: Mapping[str, ExprType]) -> Expr:
    """Parse and type-check ``text`` over fields with the given ``types``; raises ``ExprError``."""
    if len(text) > _MAX_LENGTH:
        raise ExprError(f"expression longer than {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ExprError(f"cannot parse expression {text!r}: {getattr(exc, 'msg', exc)}") from exc
    if sum(1 for _ in ast.walk(tree)) > _MAX_NODES:
        raise ExprError(f"expression has more than {_MAX_NODES} parts")
    compiler = _Compiler(text.strip(), types)
    node = compiler.visit(tree.body)
    return Expr(text, node.type, frozenset(compiler.names), node.run)


class _Compiler:
    def __init__(self, text: str, types: Mapping[str, ExprType]) -> None:
        self.text, self.types = text, types
        self.names: set[str] = set()

    def visit(self, node: ast.AST) -> Node:
        # An explicit table: nothing outside it is ever accepted, whatever Python allows.
        handlers: dict[type[ast.AST], Callable[[Any], Node]] = {
            ast.Constant: self._constant,
            ast.Name: self._name,
            ast.BinOp: self._binop,
            ast.UnaryOp: self._unaryop,
            ast.BoolOp: self._boolop,
            ast.Compare: self._compare,
            ast.IfExp: self._ifexp,
            ast.Call: self._call,
        }
        handler = handlers.get(type(node))
        if handler is None:
            raise ExprError(_not_allowed(node, self.text))
        return handler(node)

    def _constant(self, node: ast.Constant) -> Node:
        value = node.value
        if isinstance(value, bool):
            return _literal("bool", value)
        if isinstance(value, int | float):
            text = ast.get_source_segment(self.text, node) or repr(value)
            try:
                return _literal("number", Decimal(text.replace("_", "")))
            except InvalidOperation as exc:
                raise ExprError(f"bad number {text!r}") from exc
        if isinstance(value, str):
            return _literal("string", value)
        raise ExprError(f"literal {value!r} is not allowed (use is_null(x) to test for a missing value)")

    def _name(self, node: ast.Name) -> Node:
        if node.id not in self.types:
            known = ", ".join(sorted(self.types)) or "none"
            raise ExprError(f"unknown name {node.id!r} (known fields: {known})")
        self.names.add(node.id)
        name = node.id
        return Node(self.types[name], lambda env: env.vars[name])

    def _binop(self, node: ast.BinOp) -> Node:
        fn = _ARITH.get(type(node.op))
        left, right = self.visit(node.left), self.visit(node.right)
        if fn is operator.add and left.type == right.type == "string":
            return Node("string", lift2(left.run, right.run, operator.add))
        if fn is None or left.type != "number" or right.type != "number":
            raise ExprError(
                f"{_src(self.text, node)!r}: arithmetic needs numbers "
                f"(got {left.type} and {right.type}); operators allowed: + - * /"
            )
        return Node("number", arith(left.run, right.run, fn))

    def _unaryop(self, node: ast.UnaryOp) -> Node:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not) and operand.type == "bool":
            return Node("bool", lambda env: not_(operand.run(env)))
        if isinstance(node.op, ast.USub | ast.UAdd) and operand.type == "number":
            sign = operator.neg if isinstance(node.op, ast.USub) else operator.pos
            if isinstance(operand.literal, Decimal):
                return _literal("number", sign(operand.literal))
            return Node("number", lambda env: map1(operand.run(env), sign))
        raise ExprError(f"{_src(self.text, node)!r}: operator does not apply to {operand.type}")

    def _boolop(self, node: ast.BoolOp) -> Node:
        parts = [self._boolean(value) for value in node.values]
        combine = and_ if isinstance(node.op, ast.And) else or_

        def run(env: Env) -> Vec:
            result = parts[0].run(env)
            for part in parts[1:]:
                result = combine(result, part.run(env))
            return result

        return Node("bool", run)

    def _compare(self, node: ast.Compare) -> Node:
        left = self.visit(node.left)
        checks: list[Run] = []
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                checks.append(self._membership(left, comparator, negate=isinstance(op, ast.NotIn)))
                continue
            right = self.visit(comparator)
            a, b = _coerce_literal(left, right), _coerce_literal(right, left)
            fn = _CMP[type(op)]
            if (
                a.type != b.type
                or (a.type not in _ORDERED and fn not in (operator.eq, operator.ne))
                or a.type == "json"
            ):
                raise ExprError(f"{_src(self.text, node)!r}: cannot compare {a.type} with {b.type}")
            checks.append(lift2(a.run, b.run, fn))
            left = right

        def run(env: Env) -> Vec:
            result = checks[0](env)
            for check in checks[1:]:
                result = and_(result, check(env))
            return result

        return Node("bool", run)

    def _membership(self, left: Node, node: ast.expr, *, negate: bool) -> Run:
        if not isinstance(node, ast.List | ast.Tuple | ast.Set):
            raise ExprError("'in' needs a literal list, e.g. status in ['A', 'B']")
        items = [_coerce_literal(self.visit(item), left) for item in node.elts]
        if any(not item.is_literal or item.type != left.type for item in items):
            raise ExprError(f"'in' list items must be {left.type} literals")
        values = [item.literal for item in items]

        def run(env: Env) -> Vec:
            vec = left.run(env)
            hit = pd.Series(vec.values).isin(values).to_numpy(dtype=bool)
            return Vec(~hit if negate else hit, vec.null.copy())

        return run

    def _ifexp(self, node: ast.IfExp) -> Node:
        test, body, orelse = self._boolean(node.test), self.visit(node.body), self.visit(node.orelse)
        if body.type != orelse.type:
            raise ExprError(f"both branches of 'if' must have one type (got {body.type} and {orelse.type})")

        def run(env: Env) -> Vec:
            cond, yes, no = test.run(env), body.run(env), orelse.run(env)
            take = cond.values & ~cond.null
            return Vec(np.where(take, yes.values, no.values), np.where(take, yes.null, no.null))

        return Node(body.type, run)

    def _call(self, node: ast.Call) -> Node:
        name = node.func.id if isinstance(node.func, ast.Name) else _src(self.text, node.func)
        if name not in FUNCTIONS or node.keywords:
            raise ExprError(f"function {name!r} is not allowed (allowed: {', '.join(FUNCTIONS)})")
        args = [self.visit(arg) for arg in node.args]
        result_type, run = build_call(name, args)
        return Node(result_type, run)

    def _boolean(self, node: ast.AST) -> Node:
        compiled = self.visit(node)
        if compiled.type != "bool":
            raise ExprError(f"{_src(self.text, node)!r} is {compiled.type}, expected a condition (bool)")
        return compiled


def _literal(kind: ExprType, value: object) -> Node:
    return Node(kind, lambda env: Vec.full(_KIND_OF_TYPE[kind], value, env.n), value, True)


def _coerce_literal(node: Node, other: Node) -> Node:
    """Read a string literal compared with a date/datetime as an ISO 8601 value."""
    if not (node.is_literal and node.type == "string" and other.type in ("date", "datetime")):
        return node
    try:
        stamp = pd.Timestamp(str(node.literal))
    except ValueError as exc:
        raise ExprError(f"{node.literal!r} is not an ISO 8601 {other.type}") from exc
    if other.type == "date":
        return _literal("date", stamp.date())
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return _literal("datetime", stamp.tz_localize(None).to_datetime64())


def _src(text: str, node: ast.AST) -> str:
    return ast.get_source_segment(text, node) or type(node).__name__


def _not_allowed(node: ast.AST, text: str) -> str:
    what = {
        "Attribute": "attribute access",
        "Subscript": "indexing",
        "Lambda": "lambda",
        "NamedExpr": "assignment",
        "JoinedStr": "f-strings",
    }.get(type(node).__name__, type(node).__name__)
    return (
        f"{what} ({_src(text, node)!r}) is not allowed: expressions may use fields, literals, "
        "+ - * /, comparisons, and/or/not, 'x if c else y' and " + ", ".join(FUNCTIONS)
    )
