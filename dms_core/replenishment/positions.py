"""Reading each dealer's stock positions (dealer × SKU) from the canonical store.

Where the numbers come from (base units):

- **on hand** and **pending demand**: ``stock_levels`` rows at the dealer's own locations
  (``locations.owner_dealer_code``, kinds ``dealer_warehouse`` and ``store``): the sum of
  ``on_hand``, and of ``reserved`` (stock already promised to orders drawing on the dealer's
  warehouse). Brand warehouses are never counted: that stock is not the dealer's.
- **on order**: the dealer's open orders (:data:`OPEN_ORDER_STATUSES`, which include the
  replenishment drafts awaiting approval, so a rerun does not suggest them twice), each
  line's ``qty_base − shipped_qty``, plus ``in_transit`` at the dealer's locations.
- **sold**: ``sell_through`` rows with ``as_of − window < period_date ≤ as_of``.
- **oldest receipt** (for ``overdue``): per lot on hand, the latest delivery of that SKU and
  lot to the dealer (``shipments.delivered_at`` of the dealer's orders, Beijing calendar
  day); an untracked lot (``''``) takes the latest delivery of the SKU. With no delivery on
  record, the day the hub first saw the stock row (``created_at``). The position's age is
  that of its oldest lot still on hand — stock older than 90 days has not sold for 90 days.
- **nearest expiry** (for ``expiring``): ``stock_levels.expiry_date`` of the lots on hand,
  falling back to the lot's earliest ``trace_codes.expiry_date``.

Discontinued products are assessed but never suggested (``orderable`` false).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from canonical_model.tables import (
    locations,
    order_lines,
    orders,
    products,
    sell_through,
    shipment_lines,
    shipments,
    stock_levels,
    trace_codes,
)
from dms_core.replenishment.health import Position
from dms_core.replenishment.policy import ReplenishmentPolicy

__all__ = ["DEALER_LOCATION_KINDS", "OPEN_ORDER_STATUSES", "read_positions"]

DEALER_LOCATION_KINDS = ("dealer_warehouse", "store")
OPEN_ORDER_STATUSES = (
    "draft",
    "submitted",
    "pending_approval",
    "on_hold",
    "approved",
    "allocated",
    "released_to_erp",
    "partially_shipped",
)
_BEIJING = ZoneInfo("Asia/Shanghai")
_ZERO = Decimal(0)


@dataclass
class _Acc:
    on_hand: Decimal = _ZERO
    reserved: Decimal = _ZERO
    on_order: Decimal = _ZERO
    sold: Decimal = _ZERO
    lots: list[tuple[str, date, date | None]] = field(default_factory=list)  # on hand: lot, seen, expiry


def _day(value: datetime) -> date:
    return value.astimezone(_BEIJING).date()


def read_positions(
    conn: sa.Connection,
    as_of: date,
    policy: ReplenishmentPolicy,
    *,
    dealer_codes: Collection[str] | None = None,
    ignore_key: str | None = None,
) -> list[Position]:
    """Every dealer × SKU with stock, sales in the window or open orders, sorted by dealer and SKU.

    Orders with idempotency key ``ignore_key`` do not count as on order: a rerun of the same
    day's replenishment then computes what the first run did (and gets its draft back).
    """
    acc: dict[tuple[str, str], _Acc] = defaultdict(_Acc)
    wanted = None if dealer_codes is None else sorted(dealer_codes)
    _stock(conn, acc, wanted)
    _sold(conn, acc, wanted, as_of, policy.window_days)
    _ordered(conn, acc, wanted, ignore_key)
    if not acc:
        return []
    skus = sorted({sku for _, sku in acc})
    catalog = {
        r.sku: r
        for r in conn.execute(
            sa.select(products.c.sku, products.c.case_pack, products.c.status).where(products.c.sku.in_(skus))
        )
    }
    receipts = _receipts(conn, sorted({d for d, _ in acc}), skus)
    lot_expiry = _lot_expiries(conn, skus)
    found = []
    for (dealer, sku), a in sorted(acc.items()):
        product = catalog.get(sku)
        received = [
            receipts.get((dealer, sku, lot)) or receipts.get((dealer, sku, None)) or seen
            for lot, seen, _ in a.lots
        ]
        expiries = [e for _, _, e in a.lots if e is not None] + [
            lot_expiry[(sku, lot)] for lot, _, e in a.lots if e is None and (sku, lot) in lot_expiry
        ]
        found.append(
            Position(
                dealer_code=dealer,
                sku=sku,
                case_pack=int(product.case_pack) if product is not None else 1,
                on_hand=a.on_hand,
                pending_demand=a.reserved,
                on_order=a.on_order,
                sold_in_window=a.sold,
                oldest_receipt=min(received) if received else None,
                nearest_expiry=min(expiries) if expiries else None,
                orderable=product is not None and product.status == "active",
            )
        )
    return found


def _stock(conn: sa.Connection, acc: dict[tuple[str, str], _Acc], wanted: list[str] | None) -> None:
    query = (
        sa.select(
            locations.c.owner_dealer_code,
            stock_levels.c.sku,
            stock_levels.c.lot,
            stock_levels.c.on_hand,
            stock_levels.c.reserved,
            stock_levels.c.in_transit,
            stock_levels.c.expiry_date,
            stock_levels.c.created_at,
        )
        .join(locations, locations.c.code == stock_levels.c.location_code)
        .where(
            locations.c.owner_dealer_code.is_not(None),
            locations.c.kind.in_(DEALER_LOCATION_KINDS),
            locations.c.deleted_at.is_(None),
            stock_levels.c.deleted_at.is_(None),
        )
    )
    if wanted is not None:
        query = query.where(locations.c.owner_dealer_code.in_(wanted))
    for r in conn.execute(query):
        a = acc[(r.owner_dealer_code, r.sku)]
        a.on_hand += r.on_hand
        a.reserved += r.reserved
        a.on_order += r.in_transit
        if r.on_hand > 0:
            a.lots.append((r.lot, _day(r.created_at), r.expiry_date))


def _sold(
    conn: sa.Connection,
    acc: dict[tuple[str, str], _Acc],
    wanted: list[str] | None,
    as_of: date,
    window_days: int,
) -> None:
    query = sa.select(sell_through.c.dealer_code, sell_through.c.sku, sell_through.c.qty).where(
        sell_through.c.period_date > as_of - timedelta(days=window_days),
        sell_through.c.period_date <= as_of,
        sell_through.c.deleted_at.is_(None),
    )
    if wanted is not None:
        query = query.where(sell_through.c.dealer_code.in_(wanted))
    for r in conn.execute(query):
        acc[(r.dealer_code, r.sku)].sold += r.qty


def _ordered(
    conn: sa.Connection, acc: dict[tuple[str, str], _Acc], wanted: list[str] | None, ignore_key: str | None
) -> None:
    query = (
        sa.select(orders.c.dealer_code, order_lines.c.sku, order_lines.c.qty_base, order_lines.c.shipped_qty)
        .join(orders, orders.c.order_no == order_lines.c.order_no)
        .where(orders.c.status.in_(OPEN_ORDER_STATUSES), orders.c.deleted_at.is_(None))
    )
    if wanted is not None:
        query = query.where(orders.c.dealer_code.in_(wanted))
    if ignore_key is not None:
        keyed = orders.c.idempotency_key
        query = query.where(sa.or_(keyed.is_(None), keyed != ignore_key))
    for r in conn.execute(query):
        if r.qty_base > r.shipped_qty:
            acc[(r.dealer_code, r.sku)].on_order += r.qty_base - r.shipped_qty


def _receipts(
    conn: sa.Connection, dealers: list[str], skus: list[str]
) -> dict[tuple[str, str, str | None], date]:
    """Latest delivery day per (dealer, SKU, lot), and per (dealer, SKU, None) over all lots."""
    rows = conn.execute(
        sa.select(orders.c.dealer_code, shipment_lines.c.sku, shipment_lines.c.lot, shipments.c.delivered_at)
        .join(shipments, shipments.c.shipment_no == shipment_lines.c.shipment_no)
        .join(orders, orders.c.order_no == shipments.c.order_no)
        .where(
            orders.c.dealer_code.in_(dealers),
            shipment_lines.c.sku.in_(skus),
            shipments.c.delivered_at.is_not(None),
            shipments.c.deleted_at.is_(None),
        )
    )
    latest: dict[tuple[str, str, str | None], date] = {}
    for r in rows:
        day = _day(r.delivered_at)
        for key in ((r.dealer_code, r.sku, r.lot), (r.dealer_code, r.sku, None)):
            if key not in latest or day > latest[key]:
                latest[key] = day
    return latest


def _lot_expiries(conn: sa.Connection, skus: list[str]) -> dict[tuple[str, str], date]:
    rows = conn.execute(
        sa.select(trace_codes.c.sku, trace_codes.c.lot, sa.func.min(trace_codes.c.expiry_date))
        .where(
            trace_codes.c.sku.in_(skus),
            trace_codes.c.lot.is_not(None),
            trace_codes.c.expiry_date.is_not(None),
        )
        .group_by(trace_codes.c.sku, trace_codes.c.lot)
    )
    return {(sku, lot): expiry for sku, lot, expiry in rows}
