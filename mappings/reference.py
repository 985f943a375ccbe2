"""Reference data a mapping checks against: known keys, unit conversion factors, FX rates.

The engine itself never touches a database: callers pass a ``ReferenceData``. The sync
engine builds one with ``load_reference_data(conn, spec)``, which reads only what the
spec's lookups and unit conversions need; tests build one from plain sets and dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from mappings.spec import MappingSpec

__all__ = ["ReferenceData", "load_reference_data"]


@dataclass(frozen=True)
class ReferenceData:
    """What lookups and conversions compare against.

    - ``keys``: ``"table.column"`` → the known values, as text (``{"products.sku": {...}}``);
    - ``unit_factors``: ``(sku, unit)`` → base units in one ``unit`` (``("SKU-1", "CS"): 12``);
    - ``base_units``: ``sku`` → its base unit code (a quantity already in it needs no factor);
    - ``fx_rates``: ``(from, to)`` → units of ``to`` per one ``from``; a spec's own ``rates`` win.

    Unit codes are compared upper-cased.
    """

    keys: Mapping[str, frozenset[str]] = field(default_factory=dict)
    unit_factors: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    base_units: Mapping[str, str] = field(default_factory=dict)
    fx_rates: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        keys: Mapping[str, Iterable[object]] | None = None,
        *,
        unit_factors: Mapping[tuple[str, str], Decimal | int | str] | None = None,
        base_units: Mapping[str, str] | None = None,
        fx_rates: Mapping[tuple[str, str], Decimal | int | str] | None = None,
    ) -> ReferenceData:
        """Build from loose Python values: keys become text, factors and rates ``Decimal``."""
        return cls(
            keys={ref: frozenset(str(v) for v in values) for ref, values in (keys or {}).items()},
            unit_factors={
                (sku, unit.upper()): Decimal(str(f)) for (sku, unit), f in (unit_factors or {}).items()
            },
            base_units={sku: unit.upper() for sku, unit in (base_units or {}).items()},
            fx_rates={(a.upper(), b.upper()): Decimal(str(r)) for (a, b), r in (fx_rates or {}).items()},
        )


def load_reference_data(
    conn: sa.Connection, spec: MappingSpec, *, fx_rates: Mapping[tuple[str, str], Decimal] | None = None
) -> ReferenceData:
    """Read from the store exactly what ``spec`` needs: the keys of its lookups (live rows only,
    soft-deleted ones excluded) and, with unit conversions, the products' base units and
    factors. ``fx_rates`` are passed through (the canonical model keeps no rate table).
    Driver errors surface as the store's typed errors (``DatabaseUnreachable``, ``StoreError``)."""
    from canonical_model.store.database import database_errors
    from canonical_model.tables import table
    from mappings.validate import resolve

    plan = resolve(spec)
    keys: dict[str, frozenset[str]] = {}
    with database_errors(conn.engine.url):
        for ref in sorted(plan.lookups):
            table_name, _, column_name = ref.partition(".")
            tbl = table(table_name)
            query = sa.select(tbl.c[column_name]).distinct().where(tbl.c[column_name].is_not(None))
            if "deleted_at" in tbl.c:
                query = query.where(tbl.c.deleted_at.is_(None))
            keys[ref] = frozenset(str(value) for value in conn.scalars(query))
        factors: dict[tuple[str, str], Decimal] = {}
        base_units: dict[str, str] = {}
        if plan.needs_units:
            products, conversions = table("products"), table("unit_conversions")
            live = products.c.deleted_at.is_(None)
            for sku, unit in conn.execute(sa.select(products.c.sku, products.c.base_unit).where(live)):
                base_units[sku] = str(unit).upper()
            for sku, unit, factor in conn.execute(
                sa.select(conversions.c.sku, conversions.c.unit, conversions.c.factor)
            ):
                factors[(sku, str(unit).upper())] = Decimal(factor)
    return ReferenceData(
        keys=keys, unit_factors=factors, base_units=base_units, fx_rates=dict(fx_rates or {})
    )
