"""Write the sample network to the canonical store, and read back what is there.

:func:`load_sample_network` merges every table in one transaction, in foreign-key order,
through the store's bulk merge (lineage ``source_system="demo"``) and then rebuilds the
dealer closure table. Merging is idempotent: a second load of the same network changes
no row. :func:`summarize_network` counts what the database holds (not what was sent), so
the summary the demo prints is evidence of the load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from canonical_model.store.database import database_errors
from canonical_model.store.hierarchy import refresh_dealer_closure
from canonical_model.store.merge import MergeResult, merge_rows
from canonical_model.tables import (
    DEALER_LEVELS,
    dealers,
    locations,
    product_lines,
    products,
    regions,
    stock_levels,
)
from canonical_model.tables import table as canonical_table
from flows.demo.sample_network import TABLES, SampleNetwork

__all__ = [
    "SOURCE_SYSTEM",
    "NetworkSummary",
    "load_sample_network",
    "merge_sample_network",
    "render_summary",
    "summarize_network",
]

SOURCE_SYSTEM: Final = "demo"
_LEVEL_LABELS: Final = {
    0: "品牌 brand",
    1: "总代 national distributors",
    2: "一级 level-1 dealers",
    3: "二级 level-2 dealers",
    4: "终端 terminals",
}


def _lineage(run_id: str | None) -> dict[str, Any]:
    wanted: dict[str, Any] = {"source_system": SOURCE_SYSTEM}
    if run_id is not None:
        wanted["sync_run_id"] = run_id
    return wanted


def merge_sample_network(
    conn: sa.Connection, network: SampleNetwork, *, run_id: str | None = None
) -> dict[str, MergeResult]:
    """Merge every table of ``network`` in foreign-key order inside the caller's transaction.

    Rebuilds the dealer closure afterwards. Returns the merge result per table, so a caller
    can tell a first load (all inserted) from a repeat (all unchanged).
    """
    results: dict[str, MergeResult] = {}
    for name in TABLES:
        target = canonical_table(name)
        results[name] = merge_rows(conn, target, network.rows(name), lineage=_lineage(run_id))
    refresh_dealer_closure(conn)
    return results


def load_sample_network(
    engine: sa.Engine, network: SampleNetwork, *, run_id: str | None = None
) -> dict[str, int]:
    """Write ``network`` to the store in one transaction; rows per table, in load order.

    Re-running it is a no-op: rows whose data did not change are left as they are.
    Raises the store's typed errors (``StoreError``, ``ValidationError``) on failure.
    """
    with database_errors(engine.url), engine.begin() as conn:
        results = merge_sample_network(conn, network, run_id=run_id)
    return {name: result.total for name, result in results.items()}


@dataclass(frozen=True)
class NetworkSummary:
    """What the store holds of the network (live rows only)."""

    dealers_by_level: Mapping[int, int]
    product_lines: int
    products: int
    warehouses: int
    on_hand_by_warehouse: Mapping[str, Decimal] = field(default_factory=dict)
    regions: int = 0
    provinces_covered: int = 0
    districts_covered: int = 0

    @property
    def dealers(self) -> int:
        """All dealers, the brand included."""
        return sum(self.dealers_by_level.values())


def _count(conn: sa.Connection, target: sa.Table) -> int:
    query = sa.select(sa.func.count()).select_from(target)
    if "deleted_at" in target.c:
        query = query.where(target.c.deleted_at.is_(None))
    return int(conn.execute(query).scalar_one())


def summarize_network(engine: sa.Engine) -> NetworkSummary:
    """Count dealers per level, products, warehouses, stock on hand and regions in the store."""
    live_dealers = dealers.c.deleted_at.is_(None)
    with database_errors(engine.url), engine.connect() as conn:
        by_level = conn.execute(
            sa.select(dealers.c.level, sa.func.count()).where(live_dealers).group_by(dealers.c.level)
        ).all()
        on_hand_sum = sa.func.sum(stock_levels.c.on_hand, type_=stock_levels.c.on_hand.type)
        on_hand = conn.execute(
            sa.select(stock_levels.c.location_code, on_hand_sum)
            .where(stock_levels.c.deleted_at.is_(None))
            .group_by(stock_levels.c.location_code)
            .order_by(stock_levels.c.location_code)
        ).all()
        covered = conn.execute(
            sa.select(
                sa.func.count(sa.distinct(sa.func.substr(dealers.c.region_code, 1, 2))),
                sa.func.count(sa.distinct(dealers.c.region_code)),
            ).where(live_dealers)
        ).one()
        return NetworkSummary(
            dealers_by_level={int(level): int(n) for level, n in sorted(by_level)},
            product_lines=_count(conn, product_lines),
            products=_count(conn, products),
            warehouses=_count(conn, locations),
            on_hand_by_warehouse={str(code): total or Decimal(0) for code, total in on_hand},
            regions=_count(conn, regions),
            provinces_covered=int(covered[0]),
            districts_covered=int(covered[1]),
        )


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,f}"


def render_summary(summary: NetworkSummary, console: Console) -> None:
    """Print the summary as a short table."""
    table = Table(title="Sample dealer network (read back from the store)", show_header=True)
    table.add_column("What")
    table.add_column("Count", justify="right")
    for level, name in DEALER_LEVELS.items():
        table.add_row(_LEVEL_LABELS.get(level, name), str(summary.dealers_by_level.get(level, 0)))
    table.add_row("dealers in total", str(summary.dealers), end_section=True)
    table.add_row("product lines", str(summary.product_lines))
    table.add_row("products (SKUs)", str(summary.products))
    table.add_row("warehouses", str(summary.warehouses), end_section=True)
    for code, total in summary.on_hand_by_warehouse.items():
        table.add_row(f"on hand at {code} (EA)", _quantity(total))
    table.add_section()
    table.add_row(
        "provinces / districts with dealers", f"{summary.provinces_covered} / {summary.districts_covered}"
    )
    table.add_row("regions (GB/T 2260) loaded", str(summary.regions))
    console.print(table)
