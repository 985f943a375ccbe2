"""Stock locks and reservations: the only code that changes ``stock_levels.reserved``.

Every change to ``reserved`` happens in the same statement batch and transaction as the
``reservations`` rows that justify it, so for every stock row ``reserved`` equals the sum
of its active reservations (:func:`check_reservation_invariant` proves it; the tests call
it after every operation). This is the bug class Odoo users know as "quants and move
lines drift apart".

Reservation rows: ``active`` with ``qty`` = what is still reserved; a partial shipment
lowers ``qty``; ``consumed`` (shipped) keeps the allocated quantity; ``released``
(cancelled, short-closed) keeps what was released.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

import sqlalchemy as sa

from canonical_model.tables import QTY, order_allocations, reservations, stock_levels
from dms_core.ordering.allocation import StockRow
from dms_core.ordering.model import Allocation

__all__ = [
    "Consumption",
    "ReservationDrift",
    "ReservationRow",
    "active_reservations",
    "check_reservation_invariant",
    "consume",
    "lock_stock",
    "release_reservations",
    "reserve",
]

_ZERO: Final = Decimal(0)
StockKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class ReservationRow:
    """An active reservation of one order line at one location and lot."""

    line_no: int
    location_code: str
    lot: str
    sku: str
    qty: Decimal


@dataclass(frozen=True, slots=True)
class Consumption:
    """``qty`` of a reservation shipped; ``allocated`` is the line's allocation there (for the record)."""

    reservation: ReservationRow
    qty: Decimal
    allocated: Decimal


@dataclass(frozen=True, slots=True)
class ReservationDrift:
    """A stock row whose ``reserved`` differs from its active reservations (``None``: no stock row)."""

    location_code: str
    sku: str
    lot: str
    reserved: Decimal | None
    active_reservations: Decimal


def _key_columns() -> tuple[sa.Column[str], sa.Column[str], sa.Column[str]]:
    return stock_levels.c.location_code, stock_levels.c.sku, stock_levels.c.lot


_READ_STOCK = (
    sa.select(*_key_columns(), stock_levels.c.on_hand, stock_levels.c.reserved, stock_levels.c.expiry_date)
    .where(
        stock_levels.c.sku.in_(sa.bindparam("skus", expanding=True)),
        stock_levels.c.location_code.in_(sa.bindparam("locations", expanding=True)),
        stock_levels.c.deleted_at.is_(None),
        stock_levels.c.on_hand > stock_levels.c.reserved,
    )
    .order_by(*_key_columns())
)
_LOCK_STOCK = _READ_STOCK.with_for_update()


def lock_stock(
    conn: sa.Connection, skus: Iterable[str], location_codes: Iterable[str], *, lock: bool = True
) -> list[StockRow]:
    """Stock rows with something available for ``skus`` at the locations, locked in key order."""
    query = _LOCK_STOCK if lock else _READ_STOCK
    params = {"skus": sorted(set(skus)), "locations": sorted(set(location_codes))}
    return [StockRow(*row) for row in conn.execute(query, params)]


def _lock_keys(conn: sa.Connection, keys: Iterable[StockKey]) -> None:
    """Lock the given stock rows in key order (same order as :func:`lock_stock`)."""
    wanted = sorted(set(keys))
    if wanted:
        conn.execute(
            sa.select(stock_levels.c.sku)
            .where(sa.tuple_(*_key_columns()).in_(wanted))
            .order_by(*_key_columns())
            .with_for_update()
        ).all()


def _bump(conn: sa.Connection, deltas: dict[StockKey, Decimal], *, on_hand: bool) -> None:
    """``reserved += delta`` (and ``on_hand += delta`` when ``on_hand``) per stock row, one executemany."""
    rows = [
        {"b_loc": loc, "b_sku": sku, "b_lot": lot, "b_qty": qty}
        for (loc, sku, lot), qty in sorted(deltas.items())
        if qty
    ]
    if not rows:
        return
    delta = sa.bindparam("b_qty", type_=QTY)
    values: dict[str, sa.ColumnElement[Decimal]] = {"reserved": stock_levels.c.reserved + delta}
    if on_hand:
        values["on_hand"] = stock_levels.c.on_hand + delta
    conn.execute(
        stock_levels.update()
        .where(
            stock_levels.c.location_code == sa.bindparam("b_loc"),
            stock_levels.c.sku == sa.bindparam("b_sku"),
            stock_levels.c.lot == sa.bindparam("b_lot"),
        )
        .values(values),
        rows,
    )


def reserve(conn: sa.Connection, order_no: str, allocations: Sequence[Allocation]) -> None:
    """Write allocations and active reservations and raise ``reserved`` (caller holds the stock locks)."""
    if not allocations:
        return
    conn.execute(
        order_allocations.insert(),
        [
            {
                "order_no": order_no,
                "line_no": a.line_no,
                "location_code": a.location_code,
                "lot": a.lot,
                "qty": a.qty,
            }
            for a in allocations
        ],
    )
    conn.execute(
        reservations.insert(),
        [
            {
                "order_no": order_no,
                "line_no": a.line_no,
                "location_code": a.location_code,
                "lot": a.lot,
                "sku": a.sku,
                "qty": a.qty,
                "status": "active",
            }
            for a in allocations
        ],
    )
    deltas: dict[StockKey, Decimal] = defaultdict(lambda: _ZERO)
    for a in allocations:
        deltas[(a.location_code, a.sku, a.lot)] += a.qty
    _bump(conn, deltas, on_hand=False)


def active_reservations(conn: sa.Connection, order_no: str) -> list[ReservationRow]:
    """The order's active reservations, by line, location and lot."""
    r = reservations.c
    rows = conn.execute(
        sa.select(r.line_no, r.location_code, r.lot, r.sku, r.qty)
        .where(r.order_no == order_no, r.status == "active")
        .order_by(r.line_no, r.location_code, r.lot)
    )
    return [ReservationRow(*row) for row in rows]


def release_reservations(conn: sa.Connection, order_no: str) -> list[ReservationRow]:
    """Release every active reservation of the order and lower ``reserved``; returns what was released."""
    active = active_reservations(conn, order_no)
    if not active:
        return []
    _lock_keys(conn, ((a.location_code, a.sku, a.lot) for a in active))
    deltas: dict[StockKey, Decimal] = defaultdict(lambda: _ZERO)
    for a in active:
        deltas[(a.location_code, a.sku, a.lot)] -= a.qty
    _bump(conn, deltas, on_hand=False)
    conn.execute(
        reservations.update()
        .where(reservations.c.order_no == order_no, reservations.c.status == "active")
        .values(status="released")
    )
    return active


def consume(conn: sa.Connection, order_no: str, consumptions: Sequence[Consumption]) -> None:
    """Ship from reservations: lower ``on_hand`` and ``reserved`` and the reservations themselves."""
    if not consumptions:
        return
    _lock_keys(
        conn, ((c.reservation.location_code, c.reservation.sku, c.reservation.lot) for c in consumptions)
    )
    deltas: dict[StockKey, Decimal] = defaultdict(lambda: _ZERO)
    for c in consumptions:
        deltas[(c.reservation.location_code, c.reservation.sku, c.reservation.lot)] -= c.qty
    _bump(conn, deltas, on_hand=True)
    rows = [
        {
            "b_line": c.reservation.line_no,
            "b_loc": c.reservation.location_code,
            "b_lot": c.reservation.lot,
            "b_status": "active" if c.qty < c.reservation.qty else "consumed",
            "b_qty": c.reservation.qty - c.qty if c.qty < c.reservation.qty else c.allocated,
        }
        for c in consumptions
    ]
    conn.execute(
        reservations.update()
        .where(
            reservations.c.order_no == order_no,
            reservations.c.line_no == sa.bindparam("b_line"),
            reservations.c.location_code == sa.bindparam("b_loc"),
            reservations.c.lot == sa.bindparam("b_lot"),
        )
        .values(status=sa.bindparam("b_status"), qty=sa.bindparam("b_qty", type_=QTY)),
        rows,
    )


def check_reservation_invariant(conn: sa.Connection) -> list[ReservationDrift]:
    """Every stock row whose ``reserved`` is not the sum of its active reservations (empty = consistent)."""
    r = reservations.c
    active = (
        sa.select(r.location_code, r.sku, r.lot, sa.func.sum(r.qty, type_=QTY).label("total"))
        .where(r.status == "active")
        .group_by(r.location_code, r.sku, r.lot)
        .subquery("active")
    )
    joined = sa.and_(
        active.c.location_code == stock_levels.c.location_code,
        active.c.sku == stock_levels.c.sku,
        active.c.lot == stock_levels.c.lot,
    )
    total = sa.func.coalesce(active.c.total, 0, type_=QTY)
    drifted = conn.execute(
        sa.select(*_key_columns(), stock_levels.c.reserved, total)
        .select_from(stock_levels.outerjoin(active, joined))
        .where(stock_levels.c.reserved != total)
        .order_by(*_key_columns())
    )
    found = [ReservationDrift(*row) for row in drifted]
    orphans = conn.execute(
        sa.select(active.c.location_code, active.c.sku, active.c.lot, active.c.total)
        .select_from(active.outerjoin(stock_levels, joined))
        .where(stock_levels.c.sku.is_(None))
        .order_by(active.c.location_code, active.c.sku, active.c.lot)
    )
    found.extend(ReservationDrift(loc, sku, lot, None, qty) for loc, sku, lot, qty in orphans)
    return found
