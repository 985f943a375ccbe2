"""The demo's contract and payments: signed callbacks from sandboxes over real HTTP.

The hub's API is served on loopback with two webhook endpoints. The DocuSign sandbox
posts a signed "envelope completed" event for a dealer's contract; the Alipay sandbox
posts two signed payment notifications (deposit and balance) for one order. The inbox
is then processed and payments reconciled against the order's payment plan. Keys are
generated when the demo runs; the sandboxes are clearly sandboxes, not the providers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import sqlalchemy as sa

from canonical_model.tables import contracts, order_payment_plan, orders, utcnow
from connectors.esign_docusign.receiver import DocuSignConnectReceiver
from connectors.esign_docusign.sandbox import ConnectSandbox
from connectors.payment_alipay.receiver import AlipayNotifyReceiver
from connectors.payment_alipay.sandbox import AlipaySandbox
from connectors.rest.sandbox.serve import serve_app
from connectors.webhook import WebhookReceiver
from flows.api import build_app
from flows.inbox import process_inbox
from flows.payments import reconcile_payments

__all__ = ["CommerceOutcome", "contract_and_payments"]

DEPOSIT_SHARE = Decimal("0.30")


@dataclass
class CommerceOutcome:
    order_no: str
    contract_no: str
    contract_status: str
    plan: list[tuple[str, Decimal, Decimal, str]]  # kind, amount, paid, status
    http_statuses: list[int]


def _plan(conn: sa.Connection, order_no: str, total: Decimal) -> None:
    """Deposit 30 % and balance, unless the order already has a plan."""
    if conn.execute(
        sa.select(order_payment_plan.c.seq).where(order_payment_plan.c.order_no == order_no)
    ).first():
        return
    deposit = (total * DEPOSIT_SHARE).quantize(Decimal("0.01"), ROUND_HALF_UP)
    conn.execute(
        order_payment_plan.insert(),
        [
            {"order_no": order_no, "seq": 1, "kind": "deposit", "amount": deposit},
            {"order_no": order_no, "seq": 2, "kind": "balance", "amount": total - deposit},
        ],
    )


def contract_and_payments(engine: sa.Engine) -> CommerceOutcome | None:
    """Sign one dealer's contract and pay one released order in full, through the webhooks."""
    with engine.begin() as conn:
        order = conn.execute(
            sa.select(orders.c.order_no, orders.c.dealer_code, orders.c.total_net)
            .where(orders.c.status == "released_to_erp")
            .order_by(orders.c.order_no)
            .limit(1)
        ).first()
        if order is None:
            return None
        _plan(conn, order.order_no, Decimal(order.total_net))
    contract_no = f"CT-{order.dealer_code}-2027"
    docusign = ConnectSandbox(keys=[secrets.token_urlsafe(32)])
    alipay = AlipaySandbox()
    receivers: dict[str, WebhookReceiver] = {
        "esign-docusign": DocuSignConnectReceiver.from_config(
            {"hmac_keys": list(docusign.keys)}, name="esign-docusign"
        ),
        "payment-alipay": AlipayNotifyReceiver.from_config(alipay.receiver_config(), name="payment-alipay"),
    }
    total = Decimal(order.total_net)
    deposit = (total * DEPOSIT_SHARE).quantize(Decimal("0.01"), ROUND_HALF_UP)
    deliveries: list[tuple[str, Any]] = [
        (
            "esign-docusign",
            docusign.event(
                f"env-{contract_no}", "completed", contract_no=contract_no, dealer_code=order.dealer_code
            ),
        ),
        (
            "payment-alipay",
            alipay.payment(f"{order.order_no}-D1", deposit, at=utcnow() - timedelta(minutes=2)),
        ),
        ("payment-alipay", alipay.payment(f"{order.order_no}-B1", total - deposit, at=utcnow())),
    ]
    url, stop = serve_app(build_app(engine, receivers=receivers))
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            statuses = [
                client.post(
                    f"/webhooks/{name}",
                    content=d.body if isinstance(d.body, bytes) else d.body(),
                    headers=d.headers,
                ).status_code
                for name, d in deliveries
            ]
    finally:
        stop()
    process_inbox(engine, receivers)
    reconcile_payments(engine)
    with engine.connect() as conn:
        status = conn.execute(
            sa.select(contracts.c.status).where(contracts.c.contract_no == contract_no)
        ).scalar()
        plan = [
            (r.kind, Decimal(r.amount), Decimal(r.paid_amount), r.status)
            for r in conn.execute(
                sa.select(order_payment_plan)
                .where(order_payment_plan.c.order_no == order.order_no)
                .order_by(order_payment_plan.c.seq)
            )
        ]
    return CommerceOutcome(order.order_no, contract_no, str(status), plan, statuses)
