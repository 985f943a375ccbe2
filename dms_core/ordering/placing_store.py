"""What placing an order reads from and writes to the store, as one seam.

:func:`~dms_core.ordering.placing.place_order` decides; a :class:`PlacingStore` answers its
questions (the dealer, locked; its facts; stock to allocate; credit exposure) and takes its
writes. :class:`DirectStore` does each at once on the connection — one order per
transaction. The batch path (:mod:`dms_core.ordering.batching`) answers from rows it locked
up front for many orders and writes them in bulk, so the decisions stay the same code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

import sqlalchemy as sa

from canonical_model.tables import order_lines
from dms_core.ordering.allocation import Demand
from dms_core.ordering.approval import plan_allocation
from dms_core.ordering.credit import Exposure, read_exposure
from dms_core.ordering.dealers import dealer_facts, lock_dealer, owns_location
from dms_core.ordering.errors import OrderNotFound
from dms_core.ordering.facts import Dealer, DealerFacts
from dms_core.ordering.model import Allocation, CheckResult, OrderOutcome
from dms_core.ordering.ports import ReferenceData
from dms_core.ordering.repository import (
    find_order_no,
    insert_order,
    load_outcome,
    record_history,
    write_outbox,
)
from dms_core.ordering.settings import OrderingSettings
from dms_core.ordering.stock import reserve

__all__ = ["DirectStore", "PlacingStore"]


class PlacingStore(Protocol):
    """Reads and writes of one order placement (see the module docstring)."""

    conn: sa.Connection

    def lock_dealer(self, code: str) -> Dealer | None:
        """The live dealer, locked until the transaction ends."""
        ...

    def dealer_facts(self, code: str) -> DealerFacts:
        """Qualifications, contracts and authorizations."""
        ...

    def owns_location(self, dealer_code: str, owner_code: str) -> bool:
        """Whether the owner is the dealer or below it."""
        ...

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
        """Allocations and the ``stock`` checks."""
        ...

    def read_exposure(self, dealer_code: str) -> Exposure:
        """The dealer's credit exposure."""
        ...

    def insert_order(self, header: Mapping[str, Any]) -> bool:
        """Store the header; ``False`` for an idempotency-key duplicate."""
        ...

    def replay(self, dealer_code: str, idempotency_key: str) -> OrderOutcome:
        """The outcome of the order that holds the key."""
        ...

    def insert_lines(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Store the order's lines."""
        ...

    def record_history(self, order_no: str, steps: Sequence[tuple[str | None, str]], *, actor: str) -> None:
        """Store the status steps."""
        ...

    def reserve(self, order_no: str, allocations: Sequence[Allocation]) -> None:
        """Allocations, reservations and ``reserved``."""
        ...

    def write_outbox(self, *, target: str, kind: str, order_no: str, payload: Any) -> None:
        """Queue the ERP message."""
        ...


class DirectStore:
    """Every read and write at once, on ``conn`` (the single-order path)."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def lock_dealer(self, code: str) -> Dealer | None:
        """See :func:`~dms_core.ordering.dealers.lock_dealer`."""
        return lock_dealer(self.conn, code)

    def dealer_facts(self, code: str) -> DealerFacts:
        """See :func:`~dms_core.ordering.dealers.dealer_facts`."""
        return dealer_facts(self.conn, code)

    def owns_location(self, dealer_code: str, owner_code: str) -> bool:
        """See :func:`~dms_core.ordering.dealers.owns_location`."""
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
        """See :func:`~dms_core.ordering.approval.plan_allocation`."""
        return plan_allocation(self.conn, reference, settings, demands, region_code, on, lock=lock)

    def read_exposure(self, dealer_code: str) -> Exposure:
        """See :func:`~dms_core.ordering.credit.read_exposure`."""
        return read_exposure(self.conn, dealer_code)

    def insert_order(self, header: Mapping[str, Any]) -> bool:
        """See :func:`~dms_core.ordering.repository.insert_order`."""
        return insert_order(self.conn, header)

    def replay(self, dealer_code: str, idempotency_key: str) -> OrderOutcome:
        """The stored order holding the key (a concurrent duplicate won the insert)."""
        winner = find_order_no(self.conn, dealer_code, idempotency_key)
        if winner is None:
            raise OrderNotFound(f"idempotency key {idempotency_key!r} conflicted but no order holds it")
        return load_outcome(self.conn, winner, replayed=True)

    def insert_lines(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """One executemany."""
        if rows:
            self.conn.execute(order_lines.insert(), list(rows))

    def record_history(self, order_no: str, steps: Sequence[tuple[str | None, str]], *, actor: str) -> None:
        """See :func:`~dms_core.ordering.repository.record_history`."""
        record_history(self.conn, order_no, steps, actor=actor)

    def reserve(self, order_no: str, allocations: Sequence[Allocation]) -> None:
        """See :func:`~dms_core.ordering.stock.reserve`."""
        reserve(self.conn, order_no, allocations)

    def write_outbox(self, *, target: str, kind: str, order_no: str, payload: Any) -> None:
        """See :func:`~dms_core.ordering.repository.write_outbox`."""
        write_outbox(self.conn, target=target, kind=kind, order_no=order_no, payload=payload)
