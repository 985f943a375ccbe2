"""The order document sent to the ERP through the outbox (JSON-ready: Decimals as strings).

Built from order rows (as written or as read back), so placing and approving an existing
order produce the same document shape from the same function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from canonical_model.tables import order_lines, orders
from dms_core.ordering.model import Allocation

__all__ = ["HEADER_FIELDS", "LINE_FIELDS", "order_document", "read_order_document"]

HEADER_FIELDS = (
    "order_no",
    "dealer_code",
    "ship_to_location_code",
    "ship_to_region_code",
    "order_date",
    "requested_delivery_date",
    "currency",
    "total_list",
    "total_discount",
    "total_net",
    "idempotency_key",
    "origin",
)
LINE_FIELDS = (
    "line_no",
    "sku",
    "qty",
    "unit",
    "qty_base",
    "list_price",
    "discount_amount",
    "promotion_amount",
    "net_price",
    "net_amount",
    "is_free_goods",
)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # same text whether read back (scale 4) or computed
    if isinstance(value, date):
        return value.isoformat()
    return value


def order_document(
    header: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], allocations: Sequence[Allocation]
) -> dict[str, Any]:
    """The document for ``submit_order``: header, lines and where each line ships from."""
    doc = {name: _json(header.get(name)) for name in HEADER_FIELDS}
    doc["lines"] = [{name: _json(line.get(name)) for name in LINE_FIELDS} for line in lines]
    doc["allocations"] = [
        {
            "line_no": a.line_no,
            "sku": a.sku,
            "location_code": a.location_code,
            "lot": a.lot,
            "qty": _json(a.qty),
        }
        for a in allocations
    ]
    return doc


def read_order_document(
    conn: sa.Connection, order_no: str, allocations: Sequence[Allocation]
) -> dict[str, Any]:
    """The document of a stored order (two queries)."""
    header = conn.execute(
        sa.select(*(orders.c[n] for n in HEADER_FIELDS)).where(orders.c.order_no == order_no)
    ).one()
    lines = conn.execute(
        sa.select(*(order_lines.c[n] for n in LINE_FIELDS))
        .where(order_lines.c.order_no == order_no)
        .order_by(order_lines.c.line_no)
    )
    return order_document(dict(header._mapping), [dict(row._mapping) for row in lines], allocations)
