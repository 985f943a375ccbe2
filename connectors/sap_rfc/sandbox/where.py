"""The Open SQL WHERE subset the sandbox's RFC_READ_TABLE understands.

``OPTIONS`` lines are joined with blanks and parsed into a predicate over a row of internal
text values: comparisons (``= EQ <> NE > GT >= GE < LT <= LE``), ``IN ( ... )``, ``LIKE``
(``%`` and ``_``), ``BETWEEN``, ``AND``/``OR``/``NOT`` and parentheses. Literals are quoted
(``'it''s'``) or bare numbers. Anything else raises ``ValueError`` (RFC_READ_TABLE's
``OPTION_NOT_VALID``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.sap_rfc.sandbox.ddic import TableDef

__all__ = ["Predicate", "parse_where"]

Predicate = Callable[[Mapping[str, Any]], bool]

_TOKEN = re.compile(
    r"\s*(?:('(?:[^']|'')*')|(>=|<=|<>|[=<>(),])|([A-Za-z_][A-Za-z0-9_/]*)|(-?\d+(?:\.\d+)?))"
)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "EQ": operator.eq,
    "<>": operator.ne,
    "NE": operator.ne,
    ">": operator.gt,
    "GT": operator.gt,
    ">=": operator.ge,
    "GE": operator.ge,
    "<": operator.lt,
    "LT": operator.lt,
    "<=": operator.le,
    "LE": operator.le,
}


def parse_where(text: str, table: TableDef) -> Predicate:
    """A predicate for ``text`` over rows of ``table`` (``ValueError`` when invalid)."""
    if not text.strip():
        return lambda row: True
    parser = _Parser(_tokens(text), table)
    predicate = parser.disjunction()
    if parser.peek() is not None:
        raise ValueError(f"unexpected {parser.peek()!r}")
    return predicate


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"cannot read {text[position : position + 10]!r}")
        literal, symbol, word, number = match.groups()
        if literal is not None:
            tokens.append(("literal", literal[1:-1].replace("''", "'")))
        elif symbol is not None:
            tokens.append(("symbol", symbol))
        elif word is not None:
            tokens.append(("word", word.upper()))
        else:
            tokens.append(("number", number))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], table: TableDef) -> None:
        self.tokens = tokens
        self.position = 0
        self.table = table

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise ValueError("the condition ends too early")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, value: str) -> None:
        _, text = self.take()
        if text != value:
            raise ValueError(f"expected {value!r}, got {text!r}")

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda row: any(p(row) for p in parts))

    def conjunction(self) -> Predicate:
        parts = [self.negation()]
        while self.peek() == "AND":
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda row: all(p(row) for p in parts))

    def negation(self) -> Predicate:
        if self.peek() == "NOT":
            self.take()
            inner = self.negation()
            return lambda row: not inner(row)
        if self.peek() == "(":
            self.take()
            inner = self.disjunction()
            self.expect(")")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        kind, name = self.take()
        field = self.table.field(name) if kind == "word" else None
        if field is None:
            raise ValueError(f"{name!r} is not a field of {self.table.name}")
        numeric = field.type == "P"

        def value(row: Mapping[str, Any]) -> Any:
            raw = row.get(name, "")
            return Decimal(raw or 0) if numeric else str(raw)

        op = self.take()[1]
        if op in _OPS:
            literal = self.literal(numeric)
            compare = _OPS[op]
            return lambda row: bool(compare(value(row), literal))
        if op == "IN":
            self.expect("(")
            options = [self.literal(numeric)]
            while self.peek() == ",":
                self.take()
                options.append(self.literal(numeric))
            self.expect(")")
            return lambda row: value(row) in options
        if op == "BETWEEN":
            low = self.literal(numeric)
            self.expect("AND")
            high = self.literal(numeric)
            return lambda row: bool(low <= value(row) <= high)
        if op == "LIKE":
            pattern = re.compile(
                "".join(
                    ".*" if c == "%" else "." if c == "_" else re.escape(c) for c in str(self.literal(False))
                )
            )
            return lambda row: pattern.fullmatch(str(value(row)).rstrip()) is not None
        raise ValueError(f"unknown operator {op!r}")

    def literal(self, numeric: bool) -> Any:
        kind, text = self.take()
        if kind not in ("literal", "number"):
            raise ValueError(f"expected a value, got {text!r}")
        if not numeric:
            return text
        try:
            return Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"{text!r} is not a number") from exc
