"""What a dealer bought, sold on and received in a period: the rows rebates and health count.

Each function returns :class:`SourceRow` s (one per order line, sell-through report row or
receipt line) so a statement can list exactly the rows behind a number.

- **Sell-in** (:func:`sell_in_rows`): lines of the dealer's orders dated in the period whose
  status is in :data:`COUNTED_ORDER_STATUSES` — approved and everything after it on the
  way to the dealer. Drafts, submissions waiting for approval, holds, rejections and
  cancellations do not count. Amounts are the lines' net amounts (after discounts and
  promotions; free goods count with their quantity and a zero amount).
- **Sell-through** (:func:`sell_through_rows`): units the dealer sold on in the period:
  its own ``sell_through`` reports (sales to consumers or to buyers the hub does not see)
  plus the counted orders of its direct child dealers, which it supplies. A dealer should
  therefore not report again in ``sell_through`` what its children ordered in the hub.
- **Receipts** (:func:`receipt_rows`): units that reached the dealer in the period. An
  order with WMS shipments counts its delivered shipments (``delivered_at`` in the period,
  the signed ``accepted_qty`` or, before signing, the shipped ``qty``); an order without
  shipment rows counts its lines once it was delivered or accepted (the first such status
  change in the period; ``accepted_qty`` if signed, else ``shipped_qty``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa

from canonical_model.tables import (
    dealers,
    order_lines,
    order_status_history,
    orders,
    products,
    sell_through,
    shipment_lines,
    shipments,
)
from dms_core.channel.periods import Period

__all__ = [
    "COUNTED_ORDER_STATUSES",
    "SourceRow",
    "receipt_rows",
    "sell_in_rows",
    "sell_through_rows",
    "total_amount",
    "total_qty",
]

COUNTED_ORDER_STATUSES: tuple[str, ...] = (
    "approved",
    "allocated",
    "released_to_erp",
    "partially_shipped",
    "shipped",
    "delivered",
    "accepted",
    "closed",
)
"""Order statuses that count as bought: approved and every later step (not cancelled)."""

SourceKind = Literal["order", "sell_through", "receipt"]


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One row behind a figure: an order line, a sell-through report row or a receipt line.

    ``dealer_code`` is the dealer the row counts for (for a child's order counted as
    sell-through, the parent); ``ref`` names the source (order no, shipment no, report day).
    """

    kind: SourceKind
    ref: str
    dealer_code: str
    sku: str
    qty: Decimal
    amount: Decimal | None


def total_qty(rows: Sequence[SourceRow]) -> Decimal:
    """Sum of the rows' quantities."""
    return sum((r.qty for r in rows), Decimal(0))


def total_amount(rows: Sequence[SourceRow]) -> Decimal:
    """Sum of the rows' amounts (rows without an amount count as zero)."""
    return sum((r.amount or Decimal(0) for r in rows), Decimal(0))


def _in_line(query: sa.Select[Any], sku: sa.ColumnElement[str], line: str | None) -> sa.Select[Any]:
    if line is None:
        return query
    return query.where(sku.in_(sa.select(products.c.sku).where(products.c.product_line_code == line)))


def _for(query: sa.Select[Any], column: sa.ColumnElement[str], codes: Sequence[str] | None) -> sa.Select[Any]:
    return query if codes is None else query.where(column.in_(sorted(set(codes))))


def sell_in_rows(
    conn: sa.Connection,
    period: Period,
    dealer_codes: Sequence[str] | None = None,
    product_line: str | None = None,
) -> list[SourceRow]:
    """Lines of counted orders of the dealers (all if None) dated in ``period``."""
    query = (
        sa.select(
            orders.c.order_no,
            orders.c.dealer_code,
            order_lines.c.sku,
            order_lines.c.qty_base,
            order_lines.c.net_amount,
        )
        .join(order_lines, order_lines.c.order_no == orders.c.order_no)
        .where(
            orders.c.order_date >= period.first_day,
            orders.c.order_date < period.next_first_day,
            orders.c.status.in_(COUNTED_ORDER_STATUSES),
            orders.c.deleted_at.is_(None),
        )
        .order_by(orders.c.dealer_code, orders.c.order_no, order_lines.c.line_no)
    )
    query = _in_line(_for(query, orders.c.dealer_code, dealer_codes), order_lines.c.sku, product_line)
    return [SourceRow("order", r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(query)]


def sell_through_rows(
    conn: sa.Connection,
    period: Period,
    dealer_codes: Sequence[str] | None = None,
    product_line: str | None = None,
) -> list[SourceRow]:
    """The dealers' own sell-through reports in ``period`` plus their direct children's counted orders."""
    reports = (
        sa.select(
            sell_through.c.dealer_code,
            sell_through.c.sku,
            sell_through.c.period_date,
            sell_through.c.qty,
            sell_through.c.amount,
        )
        .where(
            sell_through.c.period_date >= period.first_day,
            sell_through.c.period_date < period.next_first_day,
            sell_through.c.deleted_at.is_(None),
        )
        .order_by(sell_through.c.dealer_code, sell_through.c.period_date, sell_through.c.sku)
    )
    reports = _in_line(
        _for(reports, sell_through.c.dealer_code, dealer_codes), sell_through.c.sku, product_line
    )
    rows = [
        SourceRow("sell_through", f"report {day.isoformat()}", dealer, sku, qty, amount)
        for dealer, sku, day, qty, amount in conn.execute(reports)
    ]
    child = dealers.alias("child")
    supplied = (
        sa.select(
            child.c.parent_code,
            orders.c.order_no,
            order_lines.c.sku,
            order_lines.c.qty_base,
            order_lines.c.net_amount,
        )
        .join(orders, orders.c.dealer_code == child.c.code)
        .join(order_lines, order_lines.c.order_no == orders.c.order_no)
        .where(
            child.c.parent_code.is_not(None),
            orders.c.order_date >= period.first_day,
            orders.c.order_date < period.next_first_day,
            orders.c.status.in_(COUNTED_ORDER_STATUSES),
            orders.c.deleted_at.is_(None),
        )
        .order_by(child.c.parent_code, orders.c.order_no, order_lines.c.line_no)
    )
    supplied = _in_line(_for(supplied, child.c.parent_code, dealer_codes), order_lines.c.sku, product_line)
    rows += [
        SourceRow("sell_through", no, parent, sku, qty, amount)
        for parent, no, sku, qty, amount in conn.execute(supplied)
    ]
    return rows


def receipt_rows(
    conn: sa.Connection,
    period: Period,
    dealer_codes: Sequence[str] | None = None,
    product_line: str | None = None,
) -> list[SourceRow]:
    """Units delivered to the dealers in ``period``: shipment lines, or lines of orders without shipments."""
    shipped = (
        sa.select(
            shipments.c.shipment_no,
            orders.c.dealer_code,
            shipment_lines.c.sku,
            sa.func.coalesce(shipment_lines.c.accepted_qty, shipment_lines.c.qty),
        )
        .join(orders, orders.c.order_no == shipments.c.order_no)
        .join(shipment_lines, shipment_lines.c.shipment_no == shipments.c.shipment_no)
        .where(
            shipments.c.delivered_at >= period.start,
            shipments.c.delivered_at < period.end,
            shipments.c.deleted_at.is_(None),
            shipment_lines.c.deleted_at.is_(None),
        )
        .order_by(orders.c.dealer_code, shipments.c.shipment_no, shipment_lines.c.line_no)
    )
    shipped = _in_line(_for(shipped, orders.c.dealer_code, dealer_codes), shipment_lines.c.sku, product_line)
    rows = [
        SourceRow("receipt", no, dealer, sku, qty, None) for no, dealer, sku, qty in conn.execute(shipped)
    ]

    h = order_status_history
    arrived = (
        sa.select(
            h.c.order_no,
            sa.func.min(h.c.at).label("first_at"),
            sa.func.max(sa.case((h.c.to_status == "accepted", 1), else_=0)).label("signed"),
        )
        .where(h.c.to_status.in_(("delivered", "accepted")))
        .group_by(h.c.order_no)
        .subquery()
    )
    has_shipments = sa.exists().where(
        shipments.c.order_no == orders.c.order_no, shipments.c.deleted_at.is_(None)
    )
    received_qty = sa.case(
        (arrived.c.signed == 1, order_lines.c.accepted_qty), else_=order_lines.c.shipped_qty
    )
    unshipped = (
        sa.select(orders.c.order_no, orders.c.dealer_code, order_lines.c.sku, received_qty)
        .join(arrived, arrived.c.order_no == orders.c.order_no)
        .join(order_lines, order_lines.c.order_no == orders.c.order_no)
        .where(
            arrived.c.first_at >= period.start,
            arrived.c.first_at < period.end,
            orders.c.status.in_(("delivered", "accepted", "closed")),
            orders.c.deleted_at.is_(None),
            ~has_shipments,
        )
        .order_by(orders.c.dealer_code, orders.c.order_no, order_lines.c.line_no)
    )
    unshipped = _in_line(_for(unshipped, orders.c.dealer_code, dealer_codes), order_lines.c.sku, product_line)
    rows += [
        SourceRow("receipt", no, dealer, sku, qty, None) for no, dealer, sku, qty in conn.execute(unshipped)
    ]
    return rows
