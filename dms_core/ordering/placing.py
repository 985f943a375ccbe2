"""``place_order`` and ``reorder``: the validation pipeline, the decision and the writes, in one transaction.

Decisions (see the package docstring for the whole list):

- Every step runs and reports, unless a prerequisite failed (no dealer → nothing else
  runs; no valid ship-to → no authorization or pricing; a line that cannot be resolved to
  base units → no pricing, since a quote of part of an order would mislead).
- Outcome: any failure other than credit → ``rejected`` (stored with the validation, so
  the channel team sees why); only credit failing → ``on_hold`` (no reservation; leaves
  hold only through a path that re-checks credit); all passed → ``allocated``
  (auto-approved, stock reserved, ``submit_order`` queued in the outbox) or
  ``pending_approval`` by the grade's auto-approval limit.
- An unknown dealer cannot be stored (``orders.dealer_code`` is a foreign key): the
  outcome is ``rejected`` with ``order_no=None``. Lines naming unknown SKUs are likewise
  not stored as order lines; the request (all lines) is kept in ``orders.validation``.
- Idempotency: ``(dealer_code, idempotency_key)`` returns the first order, whatever its
  status, also for a concurrent duplicate (``INSERT … ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from canonical_model.tables import order_lines, orders
from dms_core.ordering.allocation import Demand
from dms_core.ordering.approval import auto_decision
from dms_core.ordering.credit import Exposure, check_credit
from dms_core.ordering.documents import order_document
from dms_core.ordering.errors import OrderNotFound, ReasonCode
from dms_core.ordering.lifecycle import target_of
from dms_core.ordering.model import CheckResult, OrderLineRequest, OrderOutcome, OrderRequest
from dms_core.ordering.order_rows import header_row, line_rows
from dms_core.ordering.placing_store import DirectStore, PlacingStore
from dms_core.ordering.quoting import check_promotions, price_order
from dms_core.ordering.repository import (
    transaction,
)
from dms_core.ordering.settings import OrderingSettings
from dms_core.ordering.validation import (
    ResolvedLine,
    check_authorization,
    check_contract,
    check_dealer,
    check_qualifications,
    resolve_lines,
    resolve_ship_to,
    skipped,
)
from dms_core.pricing import Quote

__all__ = ["place_order", "reorder"]

_AFTER_DEALER = (
    "ship_to",
    "qualifications",
    "contract",
    "lines",
    "authorization",
    "pricing",
    "promotions",
    "stock",
    "credit",
)
# The actions that take a freshly submitted order to its first resting status.
_PATHS = {
    "rejected": ("reject",),
    "on_hold": ("hold",),
    "pending_approval": ("request_approval",),
    "allocated": ("approve", "allocate"),
}


def place_order(
    conn_or_engine: sa.Engine | sa.Connection, request: OrderRequest, *, settings: OrderingSettings
) -> OrderOutcome:
    """Validate, price, check stock and credit, decide and store an order, in one transaction.

    Never raises for a business reason: the :class:`OrderOutcome` lists every check (call
    ``raise_for_status()`` to get the typed error). Raises the store's errors on database
    failure.
    """
    with transaction(conn_or_engine) as conn:
        return _place(conn, request, settings)


def _place(
    conn: sa.Connection,
    request: OrderRequest,
    settings: OrderingSettings,
    store: PlacingStore | None = None,
) -> OrderOutcome:
    """Decide and store one order; ``store`` answers the reads and takes the writes (default: at once)."""
    store = store or DirectStore(conn)
    reference = settings.reference.reference(conn)  # before the lock: a cache miss must not hold it
    dealer = store.lock_dealer(request.dealer_code)
    checks = check_dealer(request.dealer_code, dealer)
    if dealer is None:
        rest = [c for step in _AFTER_DEALER for c in skipped(step, "no such dealer")]
        return OrderOutcome(None, "rejected", tuple(checks + rest))
    facts = store.dealer_facts(dealer.code)
    on = request.order_date

    ship_to, found = resolve_ship_to(
        request, dealer, reference, lambda o: store.owns_location(dealer.code, o)
    )
    checks += found
    checks += check_qualifications(facts, on, settings.required_qualifications)
    checks += check_contract(dealer, facts, on)
    lines, found, complete = resolve_lines(request, reference)
    checks += found
    if ship_to is None or not lines:
        checks += skipped("authorization", "no valid ship-to" if ship_to is None else "no valid line")
    else:
        checks += check_authorization(lines, ship_to, facts, on)

    priced: Quote | None = None
    if ship_to is None or not complete:
        why = "no valid ship-to" if ship_to is None else "not every line has a valid product and quantity"
        checks += skipped("pricing", why) + skipped("promotions", "no price")
    else:
        priced, found = price_order(
            lambda day: settings.reference.catalog(conn, day), dealer, ship_to.region_code, lines, on
        )
        checks += found
        checks += check_promotions(priced) if priced is not None else skipped("promotions", "no price")

    decision = auto_decision(settings, dealer, priced.total_net) if priced is not None else None
    auto = decision is not None and decision.reason_code is ReasonCode.AUTO_APPROVED
    will_reserve = auto and not any(c.failed for c in checks)
    demands = _demands(priced, lines)
    region = ship_to.region_code if ship_to is not None else None
    if demands:
        allocations, found = store.plan_allocation(
            reference, settings, demands, region, on, lock=will_reserve
        )
        checks += found
    else:
        allocations = []
        checks += skipped("stock", "no valid line")

    exposure: Exposure | None = None
    if priced is None:
        checks += skipped("credit", "no price")
    else:
        exposure = store.read_exposure(dealer.code)
        checks.append(check_credit(dealer, exposure, priced.total_net))

    status = _status(checks, auto)
    if status in ("allocated", "pending_approval") and decision is not None:
        checks.append(decision)
    order_no = settings.order_numbers.next(on)
    header = header_row(
        order_no, request, dealer, reference, region, priced, checks, exposure, status, settings
    )
    # A resubmission is found here, by the unique key, rather than by a lookup up front: one
    # round trip less for every order that is not a duplicate (nearly all of them).
    if not store.insert_order(header):
        return store.replay(dealer.code, request.idempotency_key or "")
    rows = line_rows(order_no, lines, priced, reference)
    store.insert_lines(rows)
    steps: list[tuple[str | None, str]] = [(None, "submitted")]
    for action in _PATHS[status]:
        steps.append((steps[-1][1], target_of(action, steps[-1][1], order_no=order_no)))
    store.record_history(order_no, steps, actor=request.created_by or settings.system_actor)
    if status != "allocated":
        return OrderOutcome(order_no, status, tuple(checks), priced)
    store.reserve(order_no, allocations)
    document = order_document(header, rows, allocations)
    store.write_outbox(
        target=settings.outbox_target, kind="submit_order", order_no=order_no, payload=document
    )
    return OrderOutcome(order_no, status, tuple(checks), priced, tuple(allocations))


def _status(checks: Sequence[CheckResult], auto: bool) -> str:
    failures = [c for c in checks if c.failed]
    if any(c.reason_code is not ReasonCode.CREDIT_LIMIT_EXCEEDED for c in failures):
        return "rejected"
    if failures:
        return "on_hold"
    return "allocated" if auto else "pending_approval"


def _demands(priced: Quote | None, lines: Sequence[ResolvedLine]) -> list[Demand]:
    if priced is not None:  # free goods (买A送B) need stock too
        return [Demand(q.line_no, q.sku, q.qty) for q in priced.lines]
    return [Demand(line.line_no, line.sku, line.qty_base) for line in lines]


def _plain(value: Decimal) -> Decimal:
    """``24`` rather than ``24.0000`` (or ``2.4E+1``) as read back from a scale-4 column."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def reorder(
    conn_or_engine: sa.Engine | sa.Connection,
    order_no: str,
    *,
    settings: OrderingSettings,
    order_date: date,
    idempotency_key: str | None = None,
    created_by: str | None = None,
    requested_delivery_date: date | None = None,
) -> OrderOutcome:
    """One-click reorder: a new order with the same dealer, ship-to and requested lines, priced anew.

    Free goods are not copied (the promotions of the new day decide them again).
    Raises :class:`OrderNotFound` for an unknown order.
    """
    with transaction(conn_or_engine) as conn:
        header = conn.execute(
            sa.select(
                orders.c.dealer_code, orders.c.ship_to_location_code, orders.c.ship_to_region_code
            ).where(orders.c.order_no == order_no)
        ).first()
        if header is None:
            raise OrderNotFound(f"no order {order_no!r}")
        rows = conn.execute(
            sa.select(order_lines.c.sku, order_lines.c.qty, order_lines.c.unit)
            .where(order_lines.c.order_no == order_no, order_lines.c.is_free_goods.is_(False))
            .order_by(order_lines.c.line_no)
        )
        request = OrderRequest(
            dealer_code=header.dealer_code,
            lines=[OrderLineRequest(r.sku, _plain(r.qty), r.unit) for r in rows],
            order_date=order_date,
            ship_to_location_code=header.ship_to_location_code,
            ship_to_region_code=None if header.ship_to_location_code else header.ship_to_region_code,
            idempotency_key=idempotency_key,
            requested_delivery_date=requested_delivery_date,
            created_by=created_by,
            origin="reorder",
        )
        return _place(conn, request, settings)
