"""Credit exposure, computed in SQL inside the order's transaction, and the credit check.

exposure = open receivables (``receivables.amount_open``)
         + unshipped value of the dealer's approved / allocated / released / partially
           shipped orders (their net totals minus the value already shipped)
         + this order

and must not exceed ``dealers.credit_limit``. The caller holds the dealer row lock
(``SELECT … FOR UPDATE``) before calling :func:`read_exposure`, so two orders of one
dealer are checked one after the other and never both fit into the same headroom. There
is no switch to skip the check: every path that makes an order count against the limit
(placing with auto-approval, approving, releasing a hold) runs it.

The shipped value of a partially shipped line is ``net_amount × shipped_qty / qty_base``
truncated to 0.0001 on both backends (on SQLite the columns hold integers scaled by
10^4, so it is computed with integer arithmetic that cannot overflow for real orders).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from canonical_model.tables import MONEY, order_lines, orders, receivables
from dms_core.ordering.errors import ReasonCode
from dms_core.ordering.facts import Dealer
from dms_core.ordering.lifecycle import CREDIT_EXPOSURE_STATUSES
from dms_core.ordering.model import CheckResult

__all__ = ["Exposure", "check_credit", "read_exposure"]


@dataclass(frozen=True, slots=True)
class Exposure:
    """The dealer's exposure before this order."""

    receivables: Decimal
    open_orders: Decimal
    shipped: Decimal

    @property
    def total(self) -> Decimal:
        """Open receivables plus the unshipped value of open orders."""
        return self.receivables + self.open_orders - self.shipped

    def as_dict(self, limit: Decimal, amount: Decimal) -> dict[str, Any]:
        """JSON-ready breakdown (kept in ``orders.validation``)."""
        return {
            "credit_limit": f"{limit:.2f}",
            "open_receivables": f"{self.receivables:.2f}",
            "unshipped_open_orders": f"{self.open_orders - self.shipped:.2f}",
            "this_order": f"{amount:.2f}",
            "exposure_after": f"{self.total + amount:.2f}",
        }


def _shipped_value(dialect: str) -> sa.ColumnElement[Decimal]:
    if dialect == "sqlite":
        n, s, q = (f"order_lines.{c}" for c in ("net_amount", "shipped_qty", "qty_base"))
        return sa.literal_column(f"(({n} / {q}) * {s} + (({n} % {q}) * {s}) / {q})", MONEY)
    value = order_lines.c.net_amount * order_lines.c.shipped_qty / order_lines.c.qty_base
    return sa.func.trunc(value, 4, type_=MONEY)


def _total(expr: sa.ColumnElement[Any]) -> sa.ColumnElement[Decimal]:
    return sa.func.coalesce(sa.func.sum(expr, type_=MONEY), 0, type_=MONEY)


@functools.cache
def _exposure_query(dialect: str) -> sa.Select[tuple[Decimal, Decimal, Decimal]]:
    # Built once per dialect with a bound parameter: every order reuses the compiled statement.
    dealer_code = sa.bindparam("dealer_code", type_=sa.String)
    open_statuses = sorted(CREDIT_EXPOSURE_STATUSES)
    open_ar = (
        sa.select(_total(receivables.c.amount_open))
        .where(receivables.c.dealer_code == dealer_code, receivables.c.deleted_at.is_(None))
        .scalar_subquery()
    )
    open_orders = (
        sa.select(_total(orders.c.total_net))
        .where(orders.c.dealer_code == dealer_code, orders.c.status.in_(open_statuses))
        .scalar_subquery()
    )
    shipped = (
        sa.select(_total(_shipped_value(dialect)))
        .select_from(order_lines.join(orders, orders.c.order_no == order_lines.c.order_no))
        .where(
            orders.c.dealer_code == dealer_code,
            orders.c.status.in_(open_statuses),
            order_lines.c.shipped_qty > 0,
            order_lines.c.qty_base > 0,
        )
        .scalar_subquery()
    )
    return sa.select(open_ar.label("ar"), open_orders.label("open"), shipped.label("shipped"))


def read_exposure(conn: sa.Connection, dealer_code: str) -> Exposure:
    """The dealer's exposure, in one statement (three aggregates)."""
    row = conn.execute(_exposure_query(conn.dialect.name), {"dealer_code": dealer_code}).one()
    return Exposure(row.ar, row.open, row.shipped)


def check_credit(dealer: Dealer, exposure: Exposure, amount: Decimal) -> CheckResult:
    """Pass if exposure + ``amount`` stays within the dealer's credit limit."""
    after = exposure.total + amount
    detail = (
        f"receivables {exposure.receivables:.2f} + open orders {exposure.open_orders - exposure.shipped:.2f} "
        f"+ this order {amount:.2f} = {after:.2f} {dealer.currency}"
    )
    if after > dealer.credit_limit:
        return CheckResult(
            "credit",
            False,
            ReasonCode.CREDIT_LIMIT_EXCEEDED,
            f"{detail} exceeds the credit limit {dealer.credit_limit:.2f}",
        )
    return CheckResult("credit", True, None, f"{detail} within the credit limit {dealer.credit_limit:.2f}")
