"""Approval: the auto-approval rule, stock allocation under lock, and committing an approval.

An order starts to count against credit and stock in exactly two places, and both run
every check under the locks: placing with auto-approval (``placing``, where the checks
have just run in the same transaction, after the dealer and stock locks were taken), and
:func:`commit_approval`, used by manual approval and by releasing a hold. It re-reads the
dealer (locked), re-checks the credit limit and allocates stock (locked), then writes
reservations, the transitions ``approve`` and ``allocate`` and the ``submit_order``
outbox message in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from canonical_model.tables import order_lines, utcnow
from dms_core.ordering.allocation import Demand, allocate, check_stock, rank_locations
from dms_core.ordering.credit import check_credit, read_exposure
from dms_core.ordering.dealers import lock_dealer
from dms_core.ordering.documents import read_order_document
from dms_core.ordering.errors import (
    CreditLimitExceeded,
    DealerInactive,
    DealerNotFound,
    InsufficientStock,
    ReasonCode,
)
from dms_core.ordering.facts import Dealer
from dms_core.ordering.model import Allocation, CheckResult
from dms_core.ordering.ports import ReferenceData
from dms_core.ordering.repository import OrderHeader, apply_transition, write_outbox
from dms_core.ordering.settings import OrderingSettings
from dms_core.ordering.stock import lock_stock, reserve

__all__ = ["auto_decision", "commit_approval", "plan_allocation", "unshipped_demands"]


def auto_decision(settings: OrderingSettings, dealer: Dealer, total: Decimal) -> CheckResult:
    """``auto_approved`` if the grade allows this total without a person, else ``approval_required``."""
    limit = settings.auto_approval_limit(dealer.grade)
    grade = dealer.grade or "none"
    if limit is None:
        message = f"orders of grade {grade} dealers are approved by a person"
        return CheckResult("approval", True, ReasonCode.APPROVAL_REQUIRED, message)
    if total > limit:
        message = f"{total} {dealer.currency} is above the grade {grade} auto-approval limit {limit}"
        return CheckResult("approval", True, ReasonCode.APPROVAL_REQUIRED, message)
    message = f"approved automatically (grade {grade}, up to {limit} {dealer.currency})"
    return CheckResult("approval", True, ReasonCode.AUTO_APPROVED, message)


def plan_allocation(
    conn: sa.Connection,
    reference: ReferenceData,
    settings: OrderingSettings,
    demands: Sequence[Demand],
    region_code: str | None,
    on: date,
    *,
    lock: bool,
) -> tuple[list[Allocation], list[CheckResult]]:
    """Read (``lock``: and lock) the stock rows and allocate; returns allocations and the ``stock`` checks."""
    kinds = set(settings.supplying_location_kinds)
    supplying = [loc for loc in reference.locations.values() if loc.kind in kinds]
    ranks = rank_locations(supplying, settings.warehouse_strategy, region_code)
    if not ranks and demands:
        message = f"no supplying location of kind {', '.join(sorted(kinds))}"
        return [], [CheckResult("stock", False, ReasonCode.INSUFFICIENT_STOCK, message)]
    rows = lock_stock(conn, (d.sku for d in demands), ranks, lock=lock) if demands else []
    allocations, shortages = allocate(demands, rows, ranks, on=on)
    return allocations, check_stock(shortages, len(demands))


def unshipped_demands(conn: sa.Connection, order_no: str) -> list[Demand]:
    """What an order still needs, per line, in base units."""
    rows = conn.execute(
        sa.select(order_lines.c.line_no, order_lines.c.sku, order_lines.c.qty_base, order_lines.c.shipped_qty)
        .where(order_lines.c.order_no == order_no)
        .order_by(order_lines.c.line_no)
    )
    return [Demand(r.line_no, r.sku, r.qty_base - r.shipped_qty) for r in rows if r.qty_base > r.shipped_qty]


def commit_approval(
    conn: sa.Connection,
    header: OrderHeader,
    settings: OrderingSettings,
    *,
    actor: str,
    approval: str,
) -> tuple[OrderHeader, list[Allocation]]:
    """Re-check dealer, credit and stock under locks, then approve, reserve, allocate and queue for the ERP.

    Raises :class:`DealerNotFound`, :class:`DealerInactive`, :class:`CreditLimitExceeded` or
    :class:`InsufficientStock` (with the failing checks) and changes nothing in that case.
    """
    dealer = lock_dealer(conn, header.dealer_code)
    if dealer is None:
        raise DealerNotFound(f"order {header.order_no}: dealer {header.dealer_code} no longer exists")
    if dealer.status != "active":
        raise DealerInactive(f"order {header.order_no}: dealer {dealer.code} is {dealer.status}")
    credit = check_credit(dealer, read_exposure(conn, dealer.code), header.total_net)
    if not credit.ok:
        raise CreditLimitExceeded(f"order {header.order_no}: {credit.message}", checks=[credit])
    reference = settings.reference.reference(conn)
    demands = unshipped_demands(conn, header.order_no)
    allocations, stock_checks = plan_allocation(
        conn, reference, settings, demands, header.ship_to_region_code, header.order_date, lock=True
    )
    short = [c for c in stock_checks if c.failed]
    if short:
        detail = "; ".join(c.message for c in short)
        raise InsufficientStock(f"order {header.order_no}: {detail}", checks=[credit, *stock_checks])
    header = apply_transition(
        conn,
        header,
        "approve",
        actor=actor,
        approval=approval,
        approved_by=actor,
        approved_at=utcnow(),
        hold_reason=None,
    )
    reserve(conn, header.order_no, allocations)
    header = apply_transition(conn, header, "allocate", actor=settings.system_actor)
    document = read_order_document(conn, header.order_no, allocations)
    write_outbox(
        conn, target=settings.outbox_target, kind="submit_order", order_no=header.order_no, payload=document
    )
    return header, allocations
