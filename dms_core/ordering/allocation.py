"""Available-to-promise and split allocation across warehouses, lots first-expired-first-out.

Pure: the caller reads (and on PostgreSQL locks) the stock rows and passes them in.

- available = ``on_hand − reserved`` per location × SKU × lot; lots expired on the order
  date are not available.
- Warehouses are ranked by the strategy (:func:`rank_locations`).
- A line is served from a single warehouse when one can cover it whole (the highest
  ranked such one: one shipment rather than several); otherwise it is split across
  warehouses in rank order. Inside a warehouse, lots go by expiry (earliest first, lots
  without expiry last, then by lot code).
- Lines of the same SKU draw on the same availability, in line order.
- Allocation is all or nothing for the order: any shortage means no allocation at all
  (every short line is still reported).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from dms_core.ordering.errors import ReasonCode
from dms_core.ordering.model import Allocation, CheckResult
from dms_core.ordering.ports import LocationInfo
from dms_core.ordering.settings import WarehouseStrategy

__all__ = ["Demand", "Shortage", "StockRow", "allocate", "check_stock", "rank_locations"]

_ZERO: Final = Decimal(0)


@dataclass(frozen=True, slots=True)
class StockRow:
    """One ``stock_levels`` row as read (and locked) for this order."""

    location_code: str
    sku: str
    lot: str
    on_hand: Decimal
    reserved: Decimal
    expiry_date: date | None

    @property
    def available(self) -> Decimal:
        """``on_hand − reserved``."""
        return self.on_hand - self.reserved


@dataclass(frozen=True, slots=True)
class Demand:
    """``qty`` base units of ``sku`` wanted by order line ``line_no``."""

    line_no: int
    sku: str
    qty: Decimal


@dataclass(frozen=True, slots=True)
class Shortage:
    """A line that could not be covered: what it needed and what was left for it."""

    line_no: int
    sku: str
    requested: Decimal
    available: Decimal


def rank_locations(
    candidates: Iterable[LocationInfo], strategy: WarehouseStrategy, ship_to_region: str | None
) -> dict[str, int]:
    """Location code → rank (0 first) under ``strategy``."""

    def tier(location: LocationInfo) -> int:
        if strategy is not WarehouseStrategy.NEAREST or ship_to_region is None or not location.region_code:
            return 0
        if location.region_code[:4] == ship_to_region[:4]:
            return 0
        return 1 if location.region_code[:2] == ship_to_region[:2] else 2

    ordered = sorted(candidates, key=lambda loc: (tier(loc), loc.priority, loc.code))
    return {loc.code: rank for rank, loc in enumerate(ordered)}


def _lot_key(row: StockRow) -> tuple[date, str]:
    return (row.expiry_date or date.max, row.lot)


def allocate(
    demands: Sequence[Demand], stock: Iterable[StockRow], ranks: Mapping[str, int], *, on: date
) -> tuple[list[Allocation], list[Shortage]]:
    """Allocate every demand; returns ``(allocations, [])`` or ``([], shortages)``."""
    # sku -> location -> lots (FEFO), with the quantity still free in this allocation run
    lots: dict[str, dict[str, list[StockRow]]] = defaultdict(lambda: defaultdict(list))
    free: dict[tuple[str, str, str], Decimal] = {}
    for row in stock:
        if row.location_code not in ranks or row.available <= 0:
            continue
        if row.expiry_date is not None and row.expiry_date < on:
            continue
        lots[row.sku][row.location_code].append(row)
        free[(row.location_code, row.sku, row.lot)] = row.available
    for by_location in lots.values():
        for rows in by_location.values():
            rows.sort(key=_lot_key)
    allocations: list[Allocation] = []
    shortages: list[Shortage] = []
    for demand in demands:
        by_location = lots.get(demand.sku, {})
        ranked = sorted(by_location, key=ranks.__getitem__)
        left = {loc: sum((free[(loc, demand.sku, r.lot)] for r in by_location[loc]), _ZERO) for loc in ranked}
        total = sum(left.values(), _ZERO)
        if total < demand.qty:
            shortages.append(Shortage(demand.line_no, demand.sku, demand.qty, total))
            continue
        whole = next((loc for loc in ranked if left[loc] >= demand.qty), None)
        order = [whole] if whole is not None else ranked
        need = demand.qty
        for loc in order:
            for row in by_location[loc]:
                key = (loc, demand.sku, row.lot)
                take = min(need, free[key])
                if take <= 0:
                    continue
                free[key] -= take
                need -= take
                allocations.append(Allocation(demand.line_no, demand.sku, loc, row.lot, take))
                if need == 0:
                    break
            if need == 0:
                break
    if shortages:
        return [], shortages
    return allocations, []


def check_stock(shortages: Sequence[Shortage], lines: int) -> list[CheckResult]:
    """The ``stock`` step's results for an allocation run over ``lines`` lines."""
    if not shortages:
        return [CheckResult("stock", True, None, f"{lines} line(s) available to promise")]
    return [
        CheckResult(
            "stock",
            False,
            ReasonCode.INSUFFICIENT_STOCK,
            f"line {s.line_no}: {s.sku} needs {s.requested.normalize():f}, "
            f"{s.available.normalize():f} available",
            s.line_no,
        )
        for s in shortages
    ]
