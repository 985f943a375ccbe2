"""The resolved form of a spec: every name checked, every value typed, ready to compile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mappings.casts import CastPlan
from mappings.expr import Expr
from mappings.kinds import Cast
from mappings.text import Transform

if TYPE_CHECKING:
    from mappings.spec import MappingSpec

__all__ = ["CurrencyPlan", "FieldCheck", "FieldPlan", "Plan", "RowCheck", "UnitPlan"]


@dataclass(frozen=True)
class FieldCheck:
    """One ``checks`` entry of a field: ``op`` with its typed ``operand``; ``text`` for reasons."""

    op: str
    operand: Any
    text: str


@dataclass(frozen=True)
class UnitPlan:
    """Quantity → base unit: unit code from ``source`` (or ``default``), SKU from field ``sku_field``."""

    source: str | None
    sku_field: str
    default: str | None


@dataclass(frozen=True)
class CurrencyPlan:
    """Amount → currency ``to``: code from ``source`` (or ``default``), rates to ``to``."""

    source: str | None
    to: str
    default: str | None
    rates: Mapping[str, Decimal]


@dataclass(frozen=True)
class FieldPlan:
    """Everything needed to produce one field."""

    name: str
    output: bool
    source: str | None
    const: Any
    has_const: bool
    expr: Expr | None
    transforms: tuple[Transform, ...]
    value_map: Mapping[str, str | None] | None
    unmapped: str
    cast: CastPlan
    default: Any
    has_default: bool
    required: bool
    implicit_required: bool
    lookup: str | None
    unit: UnitPlan | None
    currency: CurrencyPlan | None
    checks: tuple[FieldCheck, ...]
    deps: tuple[str, ...]

    @property
    def kind(self) -> Cast:
        """The kind the field produces."""
        return self.cast.kind


@dataclass(frozen=True)
class RowCheck:
    """A named rule over a row; ``message`` replaces the default reason when given."""

    rule: str
    expr: Expr
    message: str | None


@dataclass(frozen=True)
class Plan:
    """A spec resolved against its canonical table, fields in evaluation order."""

    spec: MappingSpec
    fields: tuple[FieldPlan, ...]
    outputs: tuple[str, ...]
    key: tuple[str, ...]
    row_checks: tuple[RowCheck, ...]
    lookups: frozenset[str]
    needs_units: bool

    def field(self, name: str) -> FieldPlan:
        """The plan of field ``name``."""
        return next(f for f in self.fields if f.name == name)

    @property
    def source_columns(self) -> frozenset[str]:
        """Every source column the spec reads (fields, unit and currency codes, cursor)."""
        names = {f.source for f in self.fields if f.source}
        names |= {f.unit.source for f in self.fields if f.unit and f.unit.source}
        names |= {f.currency.source for f in self.fields if f.currency and f.currency.source}
        if self.spec.cursor:
            names.add(self.spec.cursor)
        return frozenset(names)
