"""Payment ↔ order reconciliation: advance each order's payment plan from its payments.

Payments arrive from the payment receivers (``payment-alipay``, ``payment-wechatpay``) with
``order_no`` taken from our reference. For every order with a ``succeeded`` or
``refunded`` payment, the net amount (payments minus refunds, in the order's currency) is
allocated over the order's open payment-plan lines in ``seq`` order — deposit first, then
balance: a line fully covered is ``paid``, partly covered ``partially_paid``.

Nothing is accepted silently. The plan is left untouched and the case is recorded in
``quarantine`` (connector ``payments``, stream ``payments``) when the net exceeds what the
plan asks (``overpayment``), refunds exceed payments (``underpayment``), the currency
differs (``currency_mismatch``), the order has no payment plan (``no_payment_plan``), or
the payment names an order we do not have (``unknown_order``). The plan is recomputed from
all payments each run, so running twice changes nothing, and a refund processed before
its payment sorts itself out once the payment is in; an open quarantine entry whose cause
is gone is marked ``replayed``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from canonical_model.tables import order_payment_plan, orders, payments, quarantine, utcnow

__all__ = ["QUARANTINE_CONNECTOR", "ReconcileResult", "reconcile_payments"]

QUARANTINE_CONNECTOR = "payments"
_STREAM = "payments"
_ORDER_RULES = ("overpayment", "underpayment", "currency_mismatch", "no_payment_plan")


@dataclass
class ReconcileResult:
    """What one run did: plan lines changed, orders settled, cases newly quarantined."""

    lines_updated: int = 0
    orders_reconciled: list[str] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    """``(rule, record_key)`` of the quarantine entries this run opened."""


def reconcile_payments(engine: sa.Engine) -> ReconcileResult:
    """Match succeeded/refunded payments to orders and advance their payment plans (idempotent)."""
    result = ReconcileResult()
    with engine.begin() as conn:
        rows = conn.execute(
            sa.select(
                payments.c.payment_no,
                payments.c.order_no,
                payments.c.amount,
                payments.c.currency,
                payments.c.status,
                payments.c.channel,
            )
            .where(payments.c.status.in_(("succeeded", "refunded")), payments.c.deleted_at.is_(None))
            .order_by(payments.c.order_no, payments.c.payment_no)
        ).all()
        known = {
            r.order_no: r.currency
            for r in conn.execute(
                sa.select(orders.c.order_no, orders.c.currency).where(
                    orders.c.order_no.in_(sorted({p.order_no for p in rows if p.order_no}))
                )
            )
        }
        by_order: dict[str, list[Any]] = {}
        for payment in rows:
            if payment.order_no in known:
                by_order.setdefault(payment.order_no, []).append(payment)
            else:
                reason = (
                    f"payment {payment.payment_no} names order {payment.order_no!r}, which does not exist"
                )
                _flag(conn, result, "unknown_order", payment.payment_no, reason, _raw(payment))
        _resolve_unknown(conn, [p.payment_no for ps in by_order.values() for p in ps])
        for order_no, order_payments in by_order.items():
            _reconcile_order(conn, result, order_no, known[order_no], order_payments)
    return result


def _raw(payment: Any) -> dict[str, Any]:
    return {
        "payment_no": payment.payment_no,
        "order_no": payment.order_no,
        "channel": payment.channel,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "status": payment.status,
    }


def _reconcile_order(
    conn: sa.Connection, result: ReconcileResult, order_no: str, currency: str, order_payments: list[Any]
) -> None:
    raw = {"order_no": order_no, "payments": [_raw(p) for p in order_payments]}
    lines = conn.execute(
        sa.select(order_payment_plan)
        .where(order_payment_plan.c.order_no == order_no, order_payment_plan.c.status != "cancelled")
        .order_by(order_payment_plan.c.seq)
    ).all()
    foreign = sorted({p.currency for p in order_payments if p.currency != currency})
    paid = sum((p.amount for p in order_payments if p.status == "succeeded"), Decimal(0))
    refunded = sum((p.amount for p in order_payments if p.status == "refunded"), Decimal(0))
    net, due = paid - refunded, sum((line.amount for line in lines), Decimal(0))
    problem: tuple[str, str] | None = None
    if foreign:
        problem = (
            "currency_mismatch",
            f"order {order_no} is in {currency}, payments in {', '.join(foreign)}",
        )
    elif not lines:
        problem = ("no_payment_plan", f"order {order_no} has payments of {net:.2f} but no open payment plan")
    elif net > due:
        problem = (
            "overpayment",
            f"order {order_no}: {net:.2f} paid, plan asks {due:.2f} ({net - due:.2f} too much)",
        )
    elif net < 0:
        problem = ("underpayment", f"order {order_no}: refunds {refunded:.2f} exceed payments {paid:.2f}")
    if problem is not None:
        _flag(conn, result, problem[0], order_no, problem[1], raw)
        return
    _resolve(conn, order_no)
    remaining = net
    for line in lines:
        allocated = min(remaining, line.amount)
        remaining -= allocated
        status = "paid" if allocated == line.amount else "partially_paid" if allocated > 0 else "open"
        if (line.paid_amount, line.status) != (allocated, status):
            conn.execute(
                sa.update(order_payment_plan)
                .where(order_payment_plan.c.order_no == order_no, order_payment_plan.c.seq == line.seq)
                .values(paid_amount=allocated, status=status)
            )
            result.lines_updated += 1
    result.orders_reconciled.append(order_no)


def _open_entry(conn: sa.Connection, rule: str, key: str) -> Any:
    return conn.execute(
        sa.select(quarantine.c.id, quarantine.c.reason).where(
            quarantine.c.connector == QUARANTINE_CONNECTOR,
            quarantine.c.stream == _STREAM,
            quarantine.c.rule == rule,
            quarantine.c.record_key == key,
            quarantine.c.status == "open",
        )
    ).first()


def _flag(
    conn: sa.Connection, result: ReconcileResult, rule: str, key: str, reason: str, raw: dict[str, Any]
) -> None:
    """Open a quarantine entry once; an open one with a changed reason is brought up to date."""
    raw = json.loads(json.dumps(raw))
    existing = _open_entry(conn, rule, key)
    if existing is None:
        conn.execute(
            sa.insert(quarantine).values(
                connector=QUARANTINE_CONNECTOR,
                stream=_STREAM,
                rule=rule,
                reason=reason,
                record_key=key,
                raw=raw,
            )
        )
        result.quarantined.append((rule, key))
    elif existing.reason != reason:
        conn.execute(
            sa.update(quarantine).where(quarantine.c.id == existing.id).values(reason=reason, raw=raw)
        )


def _resolve(conn: sa.Connection, order_no: str) -> None:
    """Close the order's open payment cases: its payments add up now."""
    conn.execute(
        sa.update(quarantine)
        .where(
            quarantine.c.connector == QUARANTINE_CONNECTOR,
            quarantine.c.stream == _STREAM,
            quarantine.c.record_key == order_no,
            quarantine.c.rule.in_(_ORDER_RULES),
            quarantine.c.status == "open",
        )
        .values(status="replayed", resolved_at=utcnow())
    )


def _resolve_unknown(conn: sa.Connection, payment_nos: list[str]) -> None:
    """Close ``unknown_order`` cases of payments whose order exists now."""
    if payment_nos:
        conn.execute(
            sa.update(quarantine)
            .where(
                quarantine.c.connector == QUARANTINE_CONNECTOR,
                quarantine.c.rule == "unknown_order",
                quarantine.c.record_key.in_(payment_nos),
                quarantine.c.status == "open",
            )
            .values(status="replayed", resolved_at=utcnow())
        )
