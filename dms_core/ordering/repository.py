"""Orders in the canonical tables (SQLAlchemy Core, SQLite and PostgreSQL).

Locks, always taken in this order so concurrent transactions cannot deadlock:
order row → dealer row → stock rows (sorted by location, SKU, lot). On SQLite the
engine's ``BEGIN IMMEDIATE`` serialises writers instead and ``FOR UPDATE`` renders to
nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from canonical_model.store.database import database_errors
from canonical_model.tables import (
    order_allocations,
    order_lines,
    order_status_history,
    orders,
    outbox,
    utcnow,
)
from dms_core.ordering.errors import OrderNotFound
from dms_core.ordering.lifecycle import target_of
from dms_core.ordering.model import Allocation, CheckResult, OrderOutcome

__all__ = [
    "ERP_ORIGIN",
    "OrderHeader",
    "allocations_of",
    "apply_transition",
    "find_order_no",
    "insert_order",
    "load_outcome",
    "lock_order",
    "record_history",
    "transaction",
    "write_outbox",
]

ERP_ORIGIN = "erp"
"""``orders.origin`` of orders entered in the ERP by the brand's sales staff."""


@contextmanager
def transaction(target: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    """A connection in a transaction: a new one for an engine, else the caller's.

    With a connection already in a transaction, the work joins it and the caller commits
    (that is how a bulk import makes many orders all-or-nothing).
    """
    if isinstance(target, sa.Engine):
        with database_errors(target.url), target.begin() as conn:
            yield conn
    elif target.in_transaction():
        with database_errors(target.engine.url):
            yield target
    else:
        with database_errors(target.engine.url), target.begin():
            yield target


def find_order_no(conn: sa.Connection, dealer_code: str, idempotency_key: str) -> str | None:
    """The order already placed with this idempotency key, if any."""
    found: str | None = conn.execute(
        sa.select(orders.c.order_no).where(
            orders.c.dealer_code == dealer_code, orders.c.idempotency_key == idempotency_key
        )
    ).scalar()
    return found


def insert_order(conn: sa.Connection, row: Mapping[str, Any]) -> bool:
    """Insert an order header; ``False`` if ``(dealer_code, idempotency_key)`` already exists.

    ``ON CONFLICT DO NOTHING`` (both backends) instead of catching the unique violation:
    a concurrent duplicate then never aborts the caller's transaction.
    """
    if row.get("idempotency_key") is None:
        conn.execute(orders.insert(), [dict(row)])
        return True
    now = utcnow()
    values = {"created_at": now, "updated_at": now, **row}
    return conn.execute(_insert_unless_duplicate(tuple(values)), values).first() is not None


@functools.cache
def _insert_unless_duplicate(columns: tuple[str, ...]) -> sa.TextClause:
    # The same SQL on PostgreSQL and SQLite (3.35+). Written as text because SQLAlchemy's
    # dialect-specific INSERT … ON CONFLICT is not cacheable: it would be compiled per order.
    # Typed bind parameters keep the column types' conversions (exact decimals, JSON, UTC).
    sql = (
        f"INSERT INTO {orders.name} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "
        "ON CONFLICT (dealer_code, idempotency_key) DO NOTHING RETURNING order_no"
    )
    return sa.text(sql).bindparams(*(sa.bindparam(c, type_=orders.c[c].type) for c in columns))


def record_history(
    conn: sa.Connection,
    order_no: str,
    steps: Sequence[tuple[str | None, str]],
    *,
    actor: str | None,
    reason: str | None = None,
) -> None:
    """One ``order_status_history`` row per ``(from, to)`` step (one executemany)."""
    at = utcnow()
    conn.execute(
        order_status_history.insert(),
        [
            {
                "order_no": order_no,
                "from_status": f,
                "to_status": t,
                "actor": actor,
                "reason": reason,
                "at": at,
            }
            for f, t in steps
        ],
    )


def write_outbox(conn: sa.Connection, *, target: str, kind: str, order_no: str, payload: Any) -> None:
    """Queue a message for ``target`` in the caller's transaction (drained by a flow later).

    An order that came from the ERP (``origin`` ``erp``) is never submitted back to it: the
    ERP already holds that document, and ``flows.erp_orders`` records its number instead.
    """
    if kind == "submit_order" and isinstance(payload, Mapping) and payload.get("origin") == ERP_ORIGIN:
        return
    conn.execute(
        outbox.insert(),
        [
            {
                "message_id": f"{kind}:{order_no}",
                "target": target,
                "kind": kind,
                "entity_key": order_no,
                "payload": payload,
            }
        ],
    )


@dataclass(frozen=True, slots=True)
class OrderHeader:
    """An order as locked for a life-cycle operation."""

    order_no: str
    dealer_code: str
    status: str
    version: int
    order_date: date
    currency: str
    total_net: Decimal
    ship_to_region_code: str | None
    ship_to_location_code: str | None
    idempotency_key: str | None


def lock_order(conn: sa.Connection, order_no: str) -> OrderHeader:
    """The order row, locked ``FOR UPDATE``; :class:`OrderNotFound` if absent."""
    row = conn.execute(
        sa.select(
            orders.c.order_no,
            orders.c.dealer_code,
            orders.c.status,
            orders.c.version,
            orders.c.order_date,
            orders.c.currency,
            orders.c.total_net,
            orders.c.ship_to_region_code,
            orders.c.ship_to_location_code,
            orders.c.idempotency_key,
        )
        .where(orders.c.order_no == order_no, orders.c.deleted_at.is_(None))
        .with_for_update()
    ).first()
    if row is None:
        raise OrderNotFound(f"no order {order_no!r}")
    return OrderHeader(**row._asdict())


def apply_transition(
    conn: sa.Connection,
    header: OrderHeader,
    action: str,
    *,
    actor: str | None,
    reason: str | None = None,
    **fields: Any,
) -> OrderHeader:
    """Move the order by ``action`` (transition table), bump ``version``, record history."""
    target = target_of(action, header.status, order_no=header.order_no)
    updated = conn.execute(
        orders.update()
        .where(orders.c.order_no == header.order_no, orders.c.version == header.version)
        .values(status=target, version=orders.c.version + 1, **fields)
    )
    if updated.rowcount != 1:  # the row lock makes this unreachable unless someone skipped it
        raise OrderNotFound(f"order {header.order_no} changed underneath this operation; retry")
    record_history(conn, header.order_no, [(header.status, target)], actor=actor, reason=reason)
    return replace(header, status=target, version=header.version + 1)


def allocations_of(conn: sa.Connection, order_no: str) -> tuple[Allocation, ...]:
    """The order's allocations, by line, location and lot."""
    rows = conn.execute(
        sa.select(
            order_allocations.c.line_no,
            order_lines.c.sku,
            order_allocations.c.location_code,
            order_allocations.c.lot,
            order_allocations.c.qty,
        )
        .join(
            order_lines,
            sa.and_(
                order_lines.c.order_no == order_allocations.c.order_no,
                order_lines.c.line_no == order_allocations.c.line_no,
            ),
        )
        .where(order_allocations.c.order_no == order_no)
        .order_by(order_allocations.c.line_no, order_allocations.c.location_code, order_allocations.c.lot)
    )
    return tuple(Allocation(r.line_no, r.sku, r.location_code, r.lot, r.qty) for r in rows)


def load_outcome(conn: sa.Connection, order_no: str, *, replayed: bool) -> OrderOutcome:
    """An :class:`OrderOutcome` rebuilt from the stored order (for idempotent replays)."""
    row = conn.execute(
        sa.select(orders.c.status, orders.c.validation, orders.c.pricing_explanation).where(
            orders.c.order_no == order_no
        )
    ).one()
    stored = row.validation or {}
    checks = tuple(CheckResult.from_dict(c) for c in stored.get("checks", []))
    return OrderOutcome(
        order_no=order_no,
        status=row.status,
        validation=checks,
        allocations=allocations_of(conn, order_no),
        replayed=replayed,
        pricing=row.pricing_explanation,
    )
