"""Life-cycle operations from shipment on: ship (partially or fully), deliver, accept, close.

Shipping consumes the order's reservations: ``on_hand`` and ``reserved`` of the stock row
and the reservation drop by the shipped quantity in one transaction, and
``order_lines.shipped_qty`` (base units) rises. A shipment line may name the location
and lot it left from; without them it draws on the line's reservations by location and
lot. Shipping more than a line still has reserved (or from a place it has nothing
reserved at) raises :class:`ShipmentMismatch` and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa

from canonical_model.money import to_decimal
from canonical_model.tables import QTY, order_allocations, order_lines
from dms_core.ordering.errors import AcceptanceMismatch, ShipmentMismatch
from dms_core.ordering.lifecycle import target_of
from dms_core.ordering.model import ShipmentLine, Transitioned
from dms_core.ordering.repository import apply_transition, lock_order, transaction
from dms_core.ordering.stock import (
    Consumption,
    ReservationRow,
    active_reservations,
    consume,
    release_reservations,
)

__all__ = ["accept", "close", "deliver", "ship"]

Target = sa.Engine | sa.Connection
_ZERO: Final = Decimal(0)


def _line_quantities(conn: sa.Connection, order_no: str) -> dict[int, tuple[Decimal, Decimal]]:
    rows = conn.execute(
        sa.select(order_lines.c.line_no, order_lines.c.qty_base, order_lines.c.shipped_qty).where(
            order_lines.c.order_no == order_no
        )
    )
    return {r.line_no: (r.qty_base, r.shipped_qty) for r in rows}


def _plan(
    order_no: str, shipment: Sequence[ShipmentLine], active: Sequence[ReservationRow]
) -> dict[ReservationRow, Decimal]:
    """How much each reservation gives to this shipment (aggregated per reservation)."""
    left = {r: r.qty for r in active}
    taken: dict[ReservationRow, Decimal] = defaultdict(lambda: _ZERO)
    for item in shipment:
        qty = to_decimal(item.qty, what=f"line {item.line_no} shipped quantity")
        if qty <= 0:
            raise ShipmentMismatch(f"order {order_no} line {item.line_no}: shipped quantity must be positive")
        candidates = [
            r
            for r in active
            if r.line_no == item.line_no
            and (item.location_code is None or r.location_code == item.location_code)
            and (item.lot is None or r.lot == item.lot)
        ]
        available = sum((left[r] for r in candidates), _ZERO)
        if qty > available:
            where = "".join(
                f" {label} {value}"
                for label, value in (("at", item.location_code), ("lot", item.lot))
                if value
            )
            raise ShipmentMismatch(
                f"order {order_no} line {item.line_no}: cannot ship {qty}{where}, {available} reserved"
            )
        for r in candidates:
            take = min(qty, left[r])
            left[r] -= take
            taken[r] += take
            qty -= take
            if qty == 0:
                break
    return taken


def ship(
    target: Target, order_no: str, lines: Sequence[ShipmentLine], *, actor: str, reference: str | None = None
) -> Transitioned:
    """Record a shipment: ``partially_shipped`` until every line is shipped in full, then ``shipped``."""
    with transaction(target) as conn:
        header = lock_order(conn, order_no)
        target_of("ship", header.status, order_no=order_no)
        if not lines:
            raise ShipmentMismatch(f"order {order_no}: a shipment needs at least one line")
        quantities = _line_quantities(conn, order_no)
        unknown = sorted({item.line_no for item in lines} - set(quantities))
        if unknown:
            raise ShipmentMismatch(f"order {order_no} has no line(s) {unknown}")
        taken = _plan(order_no, lines, active_reservations(conn, order_no))
        allocated = {
            (r.line_no, r.location_code, r.lot): r.qty
            for r in conn.execute(
                sa.select(
                    order_allocations.c.line_no,
                    order_allocations.c.location_code,
                    order_allocations.c.lot,
                    order_allocations.c.qty,
                ).where(order_allocations.c.order_no == order_no)
            )
        }
        consume(
            conn,
            order_no,
            [
                Consumption(r, q, allocated.get((r.line_no, r.location_code, r.lot), r.qty))
                for r, q in taken.items()
            ],
        )
        per_line: dict[int, Decimal] = defaultdict(lambda: _ZERO)
        for r, q in taken.items():
            per_line[r.line_no] += q
        conn.execute(
            order_lines.update()
            .where(order_lines.c.order_no == order_no, order_lines.c.line_no == sa.bindparam("b_line"))
            .values(shipped_qty=order_lines.c.shipped_qty + sa.bindparam("b_qty", type_=QTY)),
            [{"b_line": n, "b_qty": q} for n, q in sorted(per_line.items())],
        )
        complete = all(shipped + per_line.get(n, _ZERO) >= base for n, (base, shipped) in quantities.items())
        note = f"shipment {reference}" if reference else None
        done = apply_transition(
            conn, header, "ship" if complete else "ship_partial", actor=actor, reason=note
        )
        return Transitioned(order_no, header.status, done.status)


def deliver(target: Target, order_no: str, *, actor: str, reason: str | None = None) -> Transitioned:
    """The carrier delivered the goods (``shipped → delivered``)."""
    with transaction(target) as conn:
        header = lock_order(conn, order_no)
        done = apply_transition(conn, header, "deliver", actor=actor, reason=reason)
        return Transitioned(order_no, header.status, done.status)


def accept(
    target: Target, order_no: str, *, actor: str, accepted: Mapping[int, Decimal] | None = None
) -> Transitioned:
    """The dealer signs for the goods (签收): ``accepted_qty`` per line, by default what was shipped.

    ``accepted`` maps line numbers to accepted base quantities (0 … shipped) for a
    receipt with damages or shortfalls; :class:`AcceptanceMismatch` otherwise.
    """
    with transaction(target) as conn:
        header = lock_order(conn, order_no)
        target_of("accept", header.status, order_no=order_no)
        quantities = _line_quantities(conn, order_no)
        given = dict(accepted or {})
        unknown = sorted(set(given) - set(quantities))
        if unknown:
            raise AcceptanceMismatch(f"order {order_no} has no line(s) {unknown}")
        rows: list[dict[str, Any]] = []
        short: list[int] = []
        for line_no, (_base, shipped) in sorted(quantities.items()):
            qty = to_decimal(given.get(line_no, shipped), what=f"line {line_no} accepted quantity")
            if not _ZERO <= qty <= shipped:
                raise AcceptanceMismatch(
                    f"order {order_no} line {line_no}: accepted {qty}, shipped {shipped}"
                )
            rows.append({"b_line": line_no, "b_qty": qty})
            if qty < shipped:
                short.append(line_no)
        conn.execute(
            order_lines.update()
            .where(order_lines.c.order_no == order_no, order_lines.c.line_no == sa.bindparam("b_line"))
            .values(accepted_qty=sa.bindparam("b_qty", type_=QTY)),
            rows,
        )
        note = f"accepted short on line(s) {short}" if short else None
        done = apply_transition(conn, header, "accept", actor=actor, reason=note)
        return Transitioned(order_no, header.status, done.status)


def close(target: Target, order_no: str, *, actor: str, reason: str | None = None) -> Transitioned:
    """Close an order; from ``partially_shipped`` this is a short close that frees the unshipped stock."""
    with transaction(target) as conn:
        header = lock_order(conn, order_no)
        target_of("close", header.status, order_no=order_no)
        release_reservations(conn, order_no)
        done = apply_transition(conn, header, "close", actor=actor, reason=reason)
        return Transitioned(order_no, header.status, done.status)
