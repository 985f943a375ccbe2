"""Payment ↔ order reconciliation: plans advance deposit then balance; anything odd is quarantined."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import dealers, order_payment_plan, orders, payments, quarantine
from connectors.payment_alipay.receiver import AlipayNotifyReceiver
from connectors.payment_alipay.sandbox import AlipaySandbox
from flows.api import build_app
from flows.inbox import process_inbox
from flows.payments import reconcile_payments

with warnings.catch_warnings():
    # Third-party noise: Starlette nudges TestClient users towards its httpx fork (pyproject's
    # filter does not cover collection-time imports under -W error); httpx is what the product uses and works.
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

ORDER = "SO-2026-0001"


@pytest.fixture
def order(engine: Engine) -> str:
    """An order of 1000.00 paid as a 300.00 deposit and a 700.00 balance."""
    with engine.begin() as conn:
        conn.execute(sa.insert(dealers).values(code="D001", name="Dealer", level=1))
        conn.execute(
            sa.insert(orders).values(order_no=ORDER, dealer_code="D001", order_date=date(2026, 11, 1))
        )
        conn.execute(
            sa.insert(order_payment_plan),
            [
                {"order_no": ORDER, "seq": 1, "kind": "deposit", "amount": Decimal("300.00")},
                {"order_no": ORDER, "seq": 2, "kind": "balance", "amount": Decimal("700.00")},
            ],
        )
    return ORDER


def pay(
    engine: Engine, payment_no: str, amount: str, *, status: str = "succeeded", order_no: str = ORDER
) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(payments).values(
                payment_no=payment_no,
                channel="wechat",
                external_id=f"X-{payment_no}",
                order_no=order_no,
                amount=Decimal(amount),
                status=status,
            )
        )


def plan(engine: Engine) -> list[tuple[str, Decimal, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(order_payment_plan).order_by(order_payment_plan.c.seq)).all()
    return [(r.kind, r.paid_amount, r.status) for r in rows]


def open_cases(engine: Engine) -> list[tuple[str, str | None, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(quarantine).where(quarantine.c.connector == "payments", quarantine.c.status == "open")
        ).all()
    return [(r.rule, r.record_key, r.reason) for r in rows]


@pytest.fixture
def alipay() -> AlipaySandbox:
    return AlipaySandbox()


@pytest.fixture
def client(engine: Engine, alipay: AlipaySandbox) -> Iterator[TestClient]:
    receivers = {
        "payment-alipay": AlipayNotifyReceiver.from_config(alipay.receiver_config(), name="payment-alipay")
    }
    with TestClient(build_app(engine, receivers=receivers), raise_server_exceptions=False) as test_client:
        yield test_client


def test_deposit_then_balance_through_the_alipay_webhook_pays_the_plan_in_order(
    engine: Engine, order: str, alipay: AlipaySandbox, client: TestClient
) -> None:
    receivers = {
        "payment-alipay": AlipayNotifyReceiver.from_config(alipay.receiver_config(), name="payment-alipay")
    }
    deposit = alipay.payment(f"{order}-D1", "300.00")
    assert (
        client.post("/webhooks/payment-alipay", content=deposit.body, headers=deposit.headers).text
        == "success"
    )
    process_inbox(engine, receivers)
    reconcile_payments(engine)
    assert plan(engine) == [("deposit", Decimal("300.00"), "paid"), ("balance", Decimal("0"), "open")]

    balance = alipay.payment(f"{order}-B1", "700.00")
    assert (
        client.post("/webhooks/payment-alipay", content=balance.body, headers=balance.headers).text
        == "success"
    )
    process_inbox(engine, receivers)
    reconcile_payments(engine)
    assert plan(engine) == [("deposit", Decimal("300.00"), "paid"), ("balance", Decimal("700.00"), "paid")]
    assert open_cases(engine) == []


def test_a_partial_payment_leaves_the_line_partially_paid(engine: Engine, order: str) -> None:
    # Caught a schema bug: the status column was VARCHAR(12) and 'partially_paid' failed on
    # PostgreSQL only (migration 0003 widens it).
    pay(engine, f"{order}-D1", "300.00")
    pay(engine, f"{order}-B1", "200.00")
    reconcile_payments(engine)
    assert plan(engine) == [
        ("deposit", Decimal("300.00"), "paid"),
        ("balance", Decimal("200.00"), "partially_paid"),
    ]


def test_rerunning_reconciliation_changes_nothing(engine: Engine, order: str) -> None:
    pay(engine, f"{order}-D1", "300.00")
    assert reconcile_payments(engine).lines_updated == 1
    again = reconcile_payments(engine)
    assert (again.lines_updated, again.quarantined) == (0, [])
    assert plan(engine)[0] == ("deposit", Decimal("300.00"), "paid")


def test_an_overpayment_is_quarantined_once_and_leaves_the_plan_untouched(engine: Engine, order: str) -> None:
    pay(engine, f"{order}-F1", "1000.50")
    first = reconcile_payments(engine)
    second = reconcile_payments(engine)
    assert first.quarantined == [("overpayment", order)]
    assert second.quarantined == []
    assert [case[:2] for case in open_cases(engine)] == [("overpayment", order)]
    assert "0.50 too much" in open_cases(engine)[0][2]
    assert plan(engine) == [("deposit", Decimal("0"), "open"), ("balance", Decimal("0"), "open")]


def test_a_payment_for_an_unknown_order_is_quarantined_with_its_reason(engine: Engine, order: str) -> None:
    pay(engine, "SO-NOPE-D1", "300.00", order_no="SO-NOPE")
    result = reconcile_payments(engine)
    assert result.quarantined == [("unknown_order", "SO-NOPE-D1")]
    [(_, _, reason)] = open_cases(engine)
    assert "SO-NOPE" in reason and "does not exist" in reason
    assert plan(engine)[0] == ("deposit", Decimal("0"), "open")


def test_a_refund_reopens_what_it_takes_back(engine: Engine, order: str) -> None:
    pay(engine, f"{order}-D1", "300.00")
    pay(engine, f"{order}-B1", "700.00")
    reconcile_payments(engine)
    pay(engine, f"{order}-B1-R", "700.00", status="refunded")
    reconcile_payments(engine)
    assert plan(engine) == [("deposit", Decimal("300.00"), "paid"), ("balance", Decimal("0"), "open")]


def test_a_refund_before_its_payment_is_flagged_then_settles_when_the_payment_arrives(
    engine: Engine, order: str
) -> None:
    pay(engine, f"{order}-D1-R", "300.00", status="refunded")
    assert reconcile_payments(engine).quarantined == [("underpayment", order)]
    assert plan(engine)[0] == ("deposit", Decimal("0"), "open")
    pay(engine, f"{order}-D1", "300.00")
    reconcile_payments(engine)
    assert plan(engine)[0] == ("deposit", Decimal("0"), "open")
    assert open_cases(engine) == []
