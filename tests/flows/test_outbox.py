"""ERP-driven order creation: approved orders reach SAP exactly once and come back numbered."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import (
    dealers,
    external_refs,
    orders,
    outbox,
    product_lines,
    products,
    unit_conversions,
)
from connectors.sap_rfc.sandbox import CommunicationError, SapSandbox
from connectors.sap_rfc.sink import SapRfcSink
from dms_core.ordering import place_order
from flows.outbox import drain_outbox
from tests.dms_core.ordering_support import WORLD, request, seed_world, settings

PASSWORD = "rfc-canary-pw"
CONFIG: dict[str, Any] = {
    "ashost": "sap-erp.example.invalid",
    "sysnr": "00",
    "client": "100",
    "user": "HUB_RFC",
    "passwd": PASSWORD,
}


def rows_of(table: sa.Table) -> list[dict[str, Any]]:
    return [row for t, rows in WORLD if t is table for row in rows]


def sap_with_world() -> SapSandbox:
    sap = SapSandbox(users={"HUB_RFC": PASSWORD})
    sap.seed(
        dealers=rows_of(dealers),
        product_lines=rows_of(product_lines),
        products=rows_of(products),
        unit_conversions=rows_of(unit_conversions),
    )
    return sap


def approved_order(engine: Engine, key: str) -> str:
    outcome = place_order(engine, request(idempotency_key=key), settings=settings(outbox_target="sap-rfc"))
    assert outcome.status == "allocated", outcome.reasons
    assert outcome.order_no is not None
    return outcome.order_no


def test_approved_orders_are_pushed_once_even_when_the_commit_answer_is_lost(engine: Engine) -> None:
    seed_world(engine)
    first, second = approved_order(engine, "k1"), approved_order(engine, "k2")
    sap = sap_with_world()
    sink = SapRfcSink(CONFIG, connection_factory=sap.connect, sleep=lambda seconds: None)
    # SAP commits the first order, then the connection dies before we hear the answer.
    sap.fail_next("BAPI_TRANSACTION_COMMIT", CommunicationError("connection reset by peer"), after=True)

    result = drain_outbox(engine, {"sap-rfc": sink}, secrets=(PASSWORD,))
    again = drain_outbox(engine, {"sap-rfc": sink})

    assert set(result.sent) == {first, second} and not result.dead and not result.retrying
    assert again.sent == {}
    in_sap = {o["BSTNK"]: o["VBELN"].lstrip("0") for o in sap.sales_orders()}  # ALPHA padding dropped
    assert len(sap.sales_orders()) == 2 and in_sap == {k: v for k, v in result.sent.items()}
    with engine.connect() as conn:
        statuses = dict(conn.execute(sa.select(orders.c.order_no, orders.c.status)).all())
        refs = dict(conn.execute(sa.select(external_refs.c.entity_key, external_refs.c.external_id)).all())
        sent = conn.execute(sa.select(outbox.c.status, outbox.c.external_ref)).all()
    assert statuses == {first: "released_to_erp", second: "released_to_erp"}
    assert refs == result.sent
    assert sorted(s for s, _ in sent) == ["sent", "sent"]


def test_a_refused_order_is_dead_with_the_sap_message_and_nothing_is_released(engine: Engine) -> None:
    seed_world(engine)
    order_no = approved_order(engine, "k3")
    sap = SapSandbox(users={"HUB_RFC": PASSWORD})  # knows none of our materials or customers
    sink = SapRfcSink(CONFIG, connection_factory=sap.connect, sleep=lambda seconds: None)

    result = drain_outbox(engine, {"sap-rfc": sink}, secrets=(PASSWORD,))

    assert list(result.dead) == [order_no] and PASSWORD not in result.dead[order_no]
    assert sap.sales_orders() == []
    with engine.connect() as conn:
        status = conn.execute(sa.select(orders.c.status).where(orders.c.order_no == order_no)).scalar_one()
        message = conn.execute(sa.select(outbox.c.status, outbox.c.last_error)).one()
    assert status == "allocated" and message.status == "dead" and message.last_error
