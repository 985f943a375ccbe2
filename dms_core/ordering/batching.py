"""``place_orders``: many orders per transaction, decided by the same code as ``place_order``.

Why: one order per transaction costs about twenty statements and a commit; a portal burst
or an EDI file of thousands of orders spends nearly all its time in round trips. Here each
chunk of orders is one transaction that

1. locks every dealer of the chunk (``FOR UPDATE``, in code order) and the stock rows of
   every SKU the chunk names at the supplying locations (in key order, as ``lock_stock``);
2. reads their facts, credit exposure and already-used idempotency keys in a few
   set-based queries;
3. runs :func:`~dms_core.ordering.placing._place` for each order in turn against a
   :class:`BatchStore` that answers from those rows and keeps them current in memory
   (stock reserved by an earlier order of the chunk is gone for the next; its amount counts
   against the dealer's credit for the next) — so every decision is the one ``place_order``
   would take placing the chunk's orders one after another;
4. writes headers, lines, history, allocations, reservations, ``reserved`` and the outbox in
   bulk statements, then commits.

Lock order is dealers then stock rows, each sorted, as in the single-order path, so chunks
and single orders cannot deadlock on each other (a free-goods SKU the chunk did not name is
locked when first needed). A concurrent duplicate that takes an idempotency key between the
check and the insert makes the chunk roll back and place its orders one at a time.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from canonical_model.errors import ValidationError
from canonical_model.store.bulk_insert import insert_rows
from canonical_model.tables import (
    authorizations,
    contracts,
    dealer_qualifications,
    dealers,
    order_allocations,
    order_lines,
    order_status_history,
    orders,
    outbox,
    receivables,
    reservations,
    utcnow,
)
from dms_core.ordering.allocation import Demand, StockRow, allocate, check_stock, rank_locations
from dms_core.ordering.credit import Exposure, _shipped_value, _total
from dms_core.ordering.dealers import owns_location
from dms_core.ordering.errors import ReasonCode
from dms_core.ordering.facts import AuthorizationInfo, ContractInfo, Dealer, DealerFacts, QualificationInfo
from dms_core.ordering.lifecycle import CREDIT_EXPOSURE_STATUSES
from dms_core.ordering.model import Allocation, CheckResult, OrderOutcome, OrderRequest
from dms_core.ordering.placing import _place, place_order
from dms_core.ordering.placing_store import DirectStore
from dms_core.ordering.ports import ReferenceData
from dms_core.ordering.repository import ERP_ORIGIN, transaction
from dms_core.ordering.settings import OrderingSettings
from dms_core.ordering.stock import StockKey, _bump, lock_stock

__all__ = ["BatchStore", "place_orders"]

_ZERO = Decimal(0)


class _Raced(Exception):
    """A concurrent transaction took an idempotency key this chunk was about to use."""


def place_orders(
    engine: sa.Engine,
    requests: Sequence[OrderRequest],
    *,
    settings: OrderingSettings,
    chunk_size: int = 500,
) -> list[OrderOutcome]:
    """Place ``requests`` in order, ``chunk_size`` per transaction; one outcome per request.

    Each outcome is what :func:`~dms_core.ordering.placing.place_order` would return for
    the request placed after the ones before it.
    """
    outcomes: list[OrderOutcome] = []
    for start in range(0, len(requests), chunk_size):
        chunk = requests[start : start + chunk_size]
        try:
            with transaction(engine) as conn:
                store = BatchStore(conn, chunk, settings)
                placed = [_place(conn, request, settings, store) for request in chunk]
                store.flush()
        except _Raced:
            placed = [place_order(engine, request, settings=settings) for request in chunk]
        outcomes.extend(placed)
    return outcomes


class BatchStore:
    """The reads of a chunk of orders answered from rows locked up front; writes buffered."""

    def __init__(
        self, conn: sa.Connection, requests: Sequence[OrderRequest], settings: OrderingSettings
    ) -> None:
        self.conn = conn
        codes = sorted({r.dealer_code for r in requests})
        self._dealers = _lock_dealers(conn, codes)
        live = sorted(self._dealers)
        self._facts = _dealer_facts(conn, live)
        self._exposure = _exposures(conn, live)
        self._keys = _used_keys(
            conn, [(r.dealer_code, r.idempotency_key) for r in requests if r.idempotency_key]
        )
        reference = settings.reference.reference(conn)
        kinds = set(settings.supplying_location_kinds)
        self._supplying = sorted(loc.code for loc in reference.locations.values() if loc.kind in kinds)
        self._stock: dict[str, list[StockRow]] = {}
        # As requested and as the reference will likely resolve them (case and spaces).
        named = {line.sku for r in requests for line in r.lines}
        self._lock_skus(named | {sku.strip().upper() for sku in named})
        self._headers: list[dict[str, Any]] = []
        self._lines: list[dict[str, Any]] = []
        self._history: list[dict[str, Any]] = []
        self._allocations: list[dict[str, Any]] = []
        self._reservations: list[dict[str, Any]] = []
        self._deltas: dict[StockKey, Decimal] = defaultdict(lambda: _ZERO)
        self._outbox: list[dict[str, Any]] = []

    # reads ---------------------------------------------------------------------------------

    def lock_dealer(self, code: str) -> Dealer | None:
        """Locked up front."""
        return self._dealers.get(code)

    def dealer_facts(self, code: str) -> DealerFacts:
        """Read up front."""
        return self._facts.get(code, DealerFacts((), (), ()))

    def owns_location(self, dealer_code: str, owner_code: str) -> bool:
        """The closure table (ship-to locations are rare in bulk; asked when needed)."""
        return owns_location(self.conn, dealer_code, owner_code)

    def plan_allocation(
        self,
        reference: ReferenceData,
        settings: OrderingSettings,
        demands: Sequence[Demand],
        region_code: str | None,
        on: date,
        *,
        lock: bool,
    ) -> tuple[list[Allocation], list[CheckResult]]:
        """As :func:`~dms_core.ordering.approval.plan_allocation`, on the rows locked for the chunk."""
        kinds = set(settings.supplying_location_kinds)
        supplying = [loc for loc in reference.locations.values() if loc.kind in kinds]
        ranks = rank_locations(supplying, settings.warehouse_strategy, region_code)
        if not ranks and demands:
            message = f"no supplying location of kind {', '.join(sorted(kinds))}"
            return [], [CheckResult("stock", False, ReasonCode.INSUFFICIENT_STOCK, message)]
        skus = {d.sku for d in demands}
        self._lock_skus(skus)
        rows = sorted(
            (r for sku in skus for r in self._stock[sku] if r.location_code in ranks and r.available > 0),
            key=lambda r: (r.location_code, r.sku, r.lot),
        )
        allocations, shortages = allocate(demands, rows, ranks, on=on)
        return allocations, check_stock(shortages, len(demands))

    def read_exposure(self, dealer_code: str) -> Exposure:
        """Read up front, plus the orders of this chunk that count against credit."""
        return self._exposure.get(dealer_code, Exposure(_ZERO, _ZERO, _ZERO))

    # writes --------------------------------------------------------------------------------

    def insert_order(self, header: Mapping[str, Any]) -> bool:
        """Buffer the header; ``False`` if its idempotency key is taken (stored or earlier in the chunk)."""
        key = header.get("idempotency_key")
        if key is not None:
            pair = (header["dealer_code"], key)
            if pair in self._keys:
                return False
            self._keys.add(pair)
        self._headers.append(dict(header))
        if header["status"] in CREDIT_EXPOSURE_STATUSES:
            before = self.read_exposure(header["dealer_code"])
            self._exposure[header["dealer_code"]] = dataclasses.replace(
                before, open_orders=before.open_orders + header["total_net"]
            )
        return True

    def replay(self, dealer_code: str, idempotency_key: str) -> OrderOutcome:
        """Write what is buffered, then read the order holding the key."""
        self.flush()
        return DirectStore(self.conn).replay(dealer_code, idempotency_key)

    def insert_lines(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Buffered."""
        self._lines.extend(dict(row) for row in rows)

    def record_history(self, order_no: str, steps: Sequence[tuple[str | None, str]], *, actor: str) -> None:
        """Buffered (as :func:`~dms_core.ordering.repository.record_history`)."""
        at = utcnow()
        self._history.extend(
            {"order_no": order_no, "from_status": f, "to_status": t, "actor": actor, "reason": None, "at": at}
            for f, t in steps
        )

    def reserve(self, order_no: str, allocations: Sequence[Allocation]) -> None:
        """Buffered; the locked rows' ``reserved`` goes up at once for the next order."""
        for a in allocations:
            line = {
                "order_no": order_no,
                "line_no": a.line_no,
                "location_code": a.location_code,
                "lot": a.lot,
            }
            self._allocations.append({**line, "qty": a.qty})
            self._reservations.append({**line, "sku": a.sku, "qty": a.qty, "status": "active"})
            self._deltas[(a.location_code, a.sku, a.lot)] += a.qty
            rows = self._stock[a.sku]
            for i, row in enumerate(rows):
                if row.location_code == a.location_code and row.lot == a.lot:
                    rows[i] = dataclasses.replace(row, reserved=row.reserved + a.qty)

    def write_outbox(self, *, target: str, kind: str, order_no: str, payload: Any) -> None:
        """Buffered (as :func:`~dms_core.ordering.repository.write_outbox`: ERP orders are not sent back)."""
        if kind == "submit_order" and isinstance(payload, Mapping) and payload.get("origin") == ERP_ORIGIN:
            return
        self._outbox.append(
            {
                "message_id": f"{kind}:{order_no}",
                "target": target,
                "kind": kind,
                "entity_key": order_no,
                "payload": payload,
            }
        )

    def flush(self) -> None:
        """Write everything buffered, in foreign-key order; raise :class:`_Raced` on a lost key."""
        try:
            insert_rows(self.conn, orders, self._headers)
        except (ValidationError, sa.exc.IntegrityError) as exc:
            raise _Raced from exc  # a concurrent duplicate key (anything else shows again one by one)
        for table, rows in (
            (order_lines, self._lines),
            (order_status_history, self._history),
            (order_allocations, self._allocations),
            (reservations, self._reservations),
            (outbox, self._outbox),
        ):
            insert_rows(self.conn, table, rows)
        _bump(self.conn, self._deltas, on_hand=False)
        for buffer in (self._headers, self._lines, self._history, self._allocations, self._reservations):
            buffer.clear()
        self._outbox.clear()
        self._deltas.clear()

    def _lock_skus(self, skus: Iterable[str]) -> None:
        missing = sorted(set(skus) - self._stock.keys())
        if not missing or not self._supplying:
            for sku in missing:
                self._stock[sku] = []
            return
        for sku in missing:
            self._stock[sku] = []
        for row in lock_stock(self.conn, missing, self._supplying, lock=True):
            self._stock[row.sku].append(row)


def _lock_dealers(conn: sa.Connection, codes: Sequence[str]) -> dict[str, Dealer]:
    d = dealers.c
    rows = conn.execute(
        sa.select(
            d.code, d.level, d.status, d.grade, d.region_code, d.credit_limit, d.currency, d.contract_required
        )
        .where(d.code.in_(codes), d.deleted_at.is_(None))
        .order_by(d.code)
        .with_for_update()
    )
    return {
        r.code: Dealer(
            r.code,
            int(r.level),
            r.status,
            r.grade,
            r.region_code,
            r.credit_limit,
            r.currency,
            bool(r.contract_required),
        )
        for r in rows
    }


def _dealer_facts(conn: sa.Connection, codes: Sequence[str]) -> dict[str, DealerFacts]:
    quals: dict[str, list[QualificationInfo]] = defaultdict(list)
    deals: dict[str, list[ContractInfo]] = defaultdict(list)
    auths: dict[str, list[AuthorizationInfo]] = defaultdict(list)
    q, c, a = dealer_qualifications, contracts, authorizations
    for row in conn.execute(
        sa.select(q.c.dealer_code, q.c.kind, q.c.valid_from, q.c.valid_until).where(
            q.c.dealer_code.in_(codes), q.c.deleted_at.is_(None)
        )
    ):
        quals[row.dealer_code].append(QualificationInfo(row.kind, row.valid_from, row.valid_until))
    for row in conn.execute(
        sa.select(c.c.dealer_code, c.c.contract_no, c.c.status, c.c.valid_from, c.c.valid_until).where(
            c.c.dealer_code.in_(codes), c.c.deleted_at.is_(None)
        )
    ):
        deals[row.dealer_code].append(
            ContractInfo(row.contract_no, row.status, row.valid_from, row.valid_until)
        )
    for row in conn.execute(
        sa.select(
            a.c.dealer_code, a.c.scope_type, a.c.scope_code, a.c.region_code, a.c.valid_from, a.c.valid_until
        ).where(a.c.dealer_code.in_(codes), a.c.deleted_at.is_(None))
    ):
        auths[row.dealer_code].append(
            AuthorizationInfo(
                row.scope_type, row.scope_code, row.region_code, row.valid_from, row.valid_until
            )
        )
    return {code: DealerFacts(tuple(quals[code]), tuple(deals[code]), tuple(auths[code])) for code in codes}


def _exposures(conn: sa.Connection, codes: Sequence[str]) -> dict[str, Exposure]:
    """Every dealer's exposure as :func:`~dms_core.ordering.credit.read_exposure` has it, in 3 queries."""
    statuses = sorted(CREDIT_EXPOSURE_STATUSES)
    ar: dict[str, Decimal] = dict(
        conn.execute(
            sa.select(receivables.c.dealer_code, _total(receivables.c.amount_open))
            .where(receivables.c.dealer_code.in_(codes), receivables.c.deleted_at.is_(None))
            .group_by(receivables.c.dealer_code)
        )
        .tuples()
        .all()
    )
    open_orders: dict[str, Decimal] = dict(
        conn.execute(
            sa.select(orders.c.dealer_code, _total(orders.c.total_net))
            .where(orders.c.dealer_code.in_(codes), orders.c.status.in_(statuses))
            .group_by(orders.c.dealer_code)
        )
        .tuples()
        .all()
    )
    shipped: dict[str, Decimal] = dict(
        conn.execute(
            sa.select(orders.c.dealer_code, _total(_shipped_value(conn.dialect.name)))
            .select_from(order_lines.join(orders, orders.c.order_no == order_lines.c.order_no))
            .where(
                orders.c.dealer_code.in_(codes),
                orders.c.status.in_(statuses),
                order_lines.c.shipped_qty > 0,
                order_lines.c.qty_base > 0,
            )
            .group_by(orders.c.dealer_code)
        )
        .tuples()
        .all()
    )
    return {
        code: Exposure(ar.get(code, _ZERO), open_orders.get(code, _ZERO), shipped.get(code, _ZERO))
        for code in codes
    }


def _used_keys(conn: sa.Connection, pairs: Sequence[tuple[str, str | None]]) -> set[tuple[str, str]]:
    if not pairs:
        return set()
    wanted = sorted({(d, k) for d, k in pairs if k is not None})
    rows = conn.execute(
        sa.select(orders.c.dealer_code, orders.c.idempotency_key).where(
            sa.tuple_(orders.c.dealer_code, orders.c.idempotency_key).in_(wanted)
        )
    )
    return {(r.dealer_code, r.idempotency_key) for r in rows}
