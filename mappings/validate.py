"""Check what a spec *means* against the canonical model and resolve it into a ``Plan``.

Target columns must exist; every column that cannot be empty and has no default must be
mapped; casts must fit the columns; expressions may only use the spec's fields; lookups
must name real tables. Each problem raises ``MappingSpecError`` at the offending line.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, NoReturn

from mappings._validate_field import resolve_field
from mappings._yaml import SpecPath
from mappings.expr import TYPE_OF_KIND, Expr, ExprError, ExprType, compile_expr
from mappings.kinds import STORE_OWNED_COLUMNS, Cast, ColumnInfo, table_columns
from mappings.plan import Plan, RowCheck

if TYPE_CHECKING:
    from mappings.spec import MappingSpec

__all__ = ["resolve"]

_KIND_OF_TYPE: dict[ExprType, Cast] = {
    "number": "decimal",
    "string": "string",
    "bool": "bool",
    "date": "date",
    "datetime": "datetime",
    "json": "json",
}


def resolve(spec: MappingSpec) -> Plan:
    """The ``Plan`` of ``spec`` (computed once per spec object); raises ``MappingSpecError``."""
    cached = spec._plan
    if isinstance(cached, Plan):
        return cached
    plan = _Resolver(spec).run()
    spec._plan = plan
    return plan


class _Resolver:
    def __init__(self, spec: MappingSpec) -> None:
        self.spec, self.where = spec, spec.where

    def fail(self, problem: str, path: SpecPath) -> NoReturn:
        raise self.where.error(problem, path)

    def run(self) -> Plan:
        spec = self.spec
        columns = table_columns(spec.entity)
        if columns is None:
            from canonical_model.tables import metadata

            self.fail(f"unknown entity {spec.entity!r}{_suggest(spec.entity, metadata.tables)}", ("entity",))
        kinds = {name: self._kind(name, columns) for name in spec.fields}
        order = self._order()
        exprs: dict[str, Expr] = {}
        for name in order:
            text = spec.fields[name].expr
            if text is None:
                continue
            types = {n: TYPE_OF_KIND[k] for n, k in kinds.items() if k is not None}
            expr = self._compile(text, types, ("fields", name, "expr"))
            kinds[name] = self._expr_kind(name, expr, kinds[name])
            exprs[name] = expr
        plans = {
            name: resolve_field(
                name, spec.fields[name], columns.get(name), _known(kinds[name]), exprs.get(name), self.where
            )
            for name in order
        }
        for name, plan in plans.items():
            if plan.unit and plan.unit.sku_field not in spec.fields:
                self.fail(
                    f"unit: sku field {plan.unit.sku_field!r} is not a field of this spec",
                    ("fields", name, "unit"),
                )
        self._missing_columns(columns)
        all_types = {n: TYPE_OF_KIND[_known(k)] for n, k in kinds.items()}
        return Plan(
            spec=spec,
            fields=tuple(plans[name] for name in order),
            outputs=tuple(name for name in spec.fields if name in columns),
            key=self._key(columns),
            row_checks=self._row_checks(all_types),
            lookups=frozenset(p.lookup for p in plans.values() if p.lookup),
            needs_units=any(p.unit for p in plans.values()),
        )

    def _kind(self, name: str, columns: Mapping[str, ColumnInfo]) -> Cast | None:
        path: SpecPath = ("fields", name)
        fs = self.spec.fields[name]
        if name in STORE_OWNED_COLUMNS:
            self.fail(f"{name} is lineage the store writes itself; mappings may not set it", path)
        if name in columns:
            return columns[name].kind
        if not name.startswith("_"):
            self.fail(
                f"{self.spec.entity} has no column {name!r}{_suggest(name, columns)} "
                "(prefix a name with _ for a helper field that is not stored)",
                path,
            )
        if not re.fullmatch(r"_[A-Za-z0-9_]*", name):
            self.fail("helper field names are letters, digits and _", path)
        if fs.cast is not None:
            return fs.cast
        return None if fs.expr is not None else "string"

    def _order(self) -> list[str]:
        """Fields in evaluation order: each after the fields its expression or unit reads."""
        deps: dict[str, set[str]] = {}
        for name, fs in self.spec.fields.items():
            names = _names_in(fs.expr) if fs.expr else set()
            if fs.unit is not None:
                names.add(fs.unit.sku)
            deps[name] = {n for n in names if n in self.spec.fields and n != name}
            if fs.expr and name in names:
                self.fail(f"expression refers to the field itself ({name})", ("fields", name, "expr"))
        order: list[str] = []
        placed: set[str] = set()
        while len(order) < len(deps):
            ready = [n for n in deps if n not in placed and deps[n] <= placed]
            if not ready:
                stuck = [n for n in deps if n not in placed]
                self.fail(f"fields depend on each other in a cycle: {', '.join(stuck)}", ("fields", stuck[0]))
            order.extend(ready)
            placed.update(ready)
        return order

    def _compile(self, text: str, types: Mapping[str, ExprType], path: SpecPath) -> Expr:
        try:
            return compile_expr(text, types)
        except ExprError as exc:
            self.fail(str(exc), path)

    def _expr_kind(self, name: str, expr: Expr, kind: Cast | None) -> Cast:
        if expr.type == "json":
            self.fail("an expression cannot produce a JSON value", ("fields", name, "expr"))
        if kind is None:
            return _KIND_OF_TYPE[expr.type]
        if TYPE_OF_KIND[kind] != expr.type:
            self.fail(f"expression gives a {expr.type} but the field is {kind}", ("fields", name, "expr"))
        return kind

    def _missing_columns(self, columns: Mapping[str, ColumnInfo]) -> None:
        for column in columns.values():
            if (
                column.needs_value
                and column.name not in self.spec.fields
                and column.name not in STORE_OWNED_COLUMNS
            ):
                self.fail(
                    f"column {column.name!r} of {self.spec.entity} cannot be empty and has no "
                    "default: map it",
                    ("fields",),
                )

    def _key(self, columns: Mapping[str, ColumnInfo]) -> tuple[str, ...]:
        if self.spec.key is None:
            return tuple(c.name for c in columns.values() if c.primary_key and c.name in self.spec.fields)
        for index, name in enumerate(self.spec.key):
            if name not in self.spec.fields or name not in columns:
                self.fail(f"key {name!r} is not a mapped column of {self.spec.entity}", ("key", index))
        return tuple(self.spec.key)

    def _row_checks(self, types: Mapping[str, ExprType]) -> tuple[RowCheck, ...]:
        seen: set[str] = set()
        checks = []
        for index, check in enumerate(self.spec.checks):
            path: SpecPath = ("checks", index)
            if check.rule in seen:
                self.fail(f"check rule {check.rule!r} is defined twice", (*path, "rule"))
            seen.add(check.rule)
            expr = self._compile(check.expr, types, (*path, "expr"))
            if expr.type != "bool":
                self.fail(
                    f"check {check.rule!r}: the expression gives a {expr.type}, not a condition",
                    (*path, "expr"),
                )
            checks.append(RowCheck(check.rule, expr, check.message))
        return tuple(checks)


def _known(kind: Cast | None) -> Cast:
    assert kind is not None  # every field has a kind once expressions are compiled
    return kind


def _names_in(text: str) -> set[str]:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()  # compile_expr reports the syntax error with its own message
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _suggest(name: str, known: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
