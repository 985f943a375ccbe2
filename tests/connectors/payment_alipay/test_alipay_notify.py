"""Alipay async notify through the real webhook endpoint: verified, stored once, processed once."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.errors import ConfigError
from canonical_model.tables import inbox, payments
from connectors.payment_alipay.descriptor import CONNECTOR
from connectors.payment_alipay.receiver import AlipayNotifyReceiver, order_no_of
from connectors.payment_alipay.sandbox import AlipaySandbox, Delivery
from connectors.payment_alipay.signing import signing_content
from flows.api import build_app
from flows.inbox import process_inbox

with warnings.catch_warnings():
    # Third-party noise: Starlette nudges TestClient users towards its httpx fork (a UserWarning
    # raised at import, before pyproject's filter applies under -W error); httpx works.
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

URL = "/webhooks/payment-alipay"
ORDER = "SO-2026-0042"


@pytest.fixture(scope="module")
def sandbox() -> AlipaySandbox:
    return AlipaySandbox()


@pytest.fixture
def receivers(sandbox: AlipaySandbox) -> dict[str, AlipayNotifyReceiver]:
    receiver = AlipayNotifyReceiver.from_config(sandbox.receiver_config(), name="payment-alipay")
    return {"payment-alipay": receiver}


@pytest.fixture
def client(engine: Engine, receivers: dict[str, AlipayNotifyReceiver]) -> Iterator[TestClient]:
    with TestClient(build_app(engine, receivers=receivers), raise_server_exceptions=False) as test_client:
        yield test_client


def post(client: TestClient, delivery: Delivery) -> tuple[int, str]:
    response = client.post(URL, content=delivery.body, headers=delivery.headers)
    return response.status_code, response.text


def inbox_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(inbox)).scalar_one())


def payment_rows(engine: Engine) -> dict[str, sa.Row[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {row.payment_no: row for row in conn.execute(sa.select(payments))}


def test_the_descriptor_names_a_webhook_factory_that_builds_the_receiver(sandbox: AlipaySandbox) -> None:
    assert (CONNECTOR.name, CONNECTOR.kind) == ("payment-alipay", "webhook")
    receiver = CONNECTOR.load_factory()(sandbox.receiver_config(), name="alipay-main")
    assert isinstance(receiver, AlipayNotifyReceiver) and receiver.name == "alipay-main"


def test_a_public_key_that_is_not_rsa_is_a_config_error(sandbox: AlipaySandbox) -> None:
    with pytest.raises(ConfigError, match="alipay_public_key"):
        AlipayNotifyReceiver.from_config(sandbox.receiver_config(alipay_public_key="bm90IGEga2V5"))


def test_the_signed_content_drops_sign_and_empty_values_sorts_and_uses_decoded_values() -> None:
    fields = {"b": "x y", "a": "订单 1", "sign": "S", "sign_type": "RSA2", "c": ""}
    assert signing_content(fields) == "a=订单 1&b=x y"


def test_our_reference_carries_the_order_number() -> None:
    assert [order_no_of(r) for r in ("SO-1-D1", "SO-1-B2", "SO-1-F1", "SO-1")] == [
        "SO-1",
        "SO-1",
        "SO-1",
        "SO-1",
    ]


def test_a_valid_notification_is_acknowledged_with_success_and_processed_exactly_once(
    client: TestClient, engine: Engine, sandbox: AlipaySandbox, receivers: dict[str, AlipayNotifyReceiver]
) -> None:
    at = datetime.now(UTC).replace(microsecond=0)
    delivery = sandbox.payment(f"{ORDER}-D1", "300.00", at=at)
    assert post(client, delivery) == (200, "success")
    assert process_inbox(engine, receivers).processed == 1
    assert process_inbox(engine, receivers).processed == 0
    row = payment_rows(engine)[f"{ORDER}-D1"]
    assert (row.channel, row.order_no, row.amount, row.currency, row.status) == (
        "alipay",
        ORDER,
        Decimal("300.00"),
        "CNY",
        "succeeded",
    )
    assert row.external_id == delivery.fields["trade_no"]
    assert row.paid_at == at


def test_a_duplicate_delivery_is_acknowledged_again_but_stored_and_processed_once(
    client: TestClient, engine: Engine, sandbox: AlipaySandbox, receivers: dict[str, AlipayNotifyReceiver]
) -> None:
    sandbox.payment(f"{ORDER}-D1", "300.00")
    assert post(client, sandbox.replay()) == (200, "success")
    assert post(client, sandbox.replay()) == (200, "success")
    assert inbox_count(engine) == 1
    assert process_inbox(engine, receivers).processed == 1


def test_a_replayed_notify_id_with_a_different_payload_is_not_stored_twice(
    client: TestClient, engine: Engine, sandbox: AlipaySandbox, receivers: dict[str, AlipayNotifyReceiver]
) -> None:
    assert post(client, sandbox.payment(f"{ORDER}-D1", "300.00", notify_id="n-1")) == (200, "success")
    assert post(client, sandbox.payment(f"{ORDER}-D1", "999.00", notify_id="n-1")) == (200, "success")
    process_inbox(engine, receivers)
    assert inbox_count(engine) == 1
    assert payment_rows(engine)[f"{ORDER}-D1"].amount == Decimal("300.00")


def test_a_refund_delivered_before_its_payment_still_yields_both_rows(
    client: TestClient, engine: Engine, sandbox: AlipaySandbox, receivers: dict[str, AlipayNotifyReceiver]
) -> None:
    sandbox.sent.clear()
    sandbox.payment(f"{ORDER}-B1", "700.00")
    sandbox.refund(f"{ORDER}-B1", "700.00", "700.00")
    for delivery in sandbox.reordered():  # refund first
        assert post(client, delivery) == (200, "success")
    assert process_inbox(engine, receivers).processed == 2
    rows = payment_rows(engine)
    assert (rows[f"{ORDER}-B1"].status, rows[f"{ORDER}-B1"].amount) == ("succeeded", Decimal("700.00"))
    assert (rows[f"{ORDER}-B1-R"].status, rows[f"{ORDER}-B1-R"].amount) == ("refunded", Decimal("700.00"))
    assert rows[f"{ORDER}-B1-R"].order_no == ORDER


def test_a_closed_trade_is_recorded_closed_and_waiting_for_payment_records_nothing(
    client: TestClient, engine: Engine, sandbox: AlipaySandbox, receivers: dict[str, AlipayNotifyReceiver]
) -> None:
    post(client, sandbox.payment(f"{ORDER}-D1", "300.00", trade_status="WAIT_BUYER_PAY"))
    post(client, sandbox.payment(f"{ORDER}-D2", "300.00", trade_status="TRADE_CLOSED"))
    assert process_inbox(engine, receivers).processed == 2
    rows = payment_rows(engine)
    assert list(rows) == [f"{ORDER}-D2"]
    assert rows[f"{ORDER}-D2"].status == "closed"


def _form(delivery: Delivery) -> dict[str, str]:
    return dict(delivery.fields)


Tamper = Callable[[AlipaySandbox, Delivery], Delivery]

BAD: dict[str, tuple[Tamper, int]] = {
    "forged-with-another-key": (lambda s, d: replace(d, fields=AlipaySandbox().sign(_form(d))), 401),
    "tampered-amount": (lambda s, d: s.corrupt(d, total_amount="0.01"), 401),
    "tampered-reference": (lambda s, d: s.corrupt(d, out_trade_no="SO-OTHER-D1"), 401),
    "missing-sign": (lambda s, d: replace(d, fields={k: v for k, v in d.fields.items() if k != "sign"}), 401),
    "garbage-sign": (lambda s, d: s.corrupt(d, sign="!!not base64!!"), 401),
    "sign-type-rsa1": (lambda s, d: s.corrupt(d, sign_type="RSA"), 401),
    "another-app": (lambda s, d: replace(d, fields=s.sign({**_form(d), "app_id": "2021999999999999"})), 401),
    "stale-notify-time": (
        lambda s, d: s.payment(f"{ORDER}-D1", "300.00", at=datetime.now(UTC) - timedelta(days=3)),
        401,
    ),
    "wrong-content-type": (lambda s, d: replace(d, headers={"Content-Type": "application/json"}), 415),
    "no-content-type": (lambda s, d: replace(d, headers={}), 415),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_notification_gets_fail_and_nothing_is_stored_or_logged_secretly(
    case: str,
    client: TestClient,
    engine: Engine,
    sandbox: AlipaySandbox,
    receivers: dict[str, AlipayNotifyReceiver],
    caplog: pytest.LogCaptureFixture,
) -> None:
    tamper, status = BAD[case]
    delivery = tamper(sandbox, sandbox.payment(f"{ORDER}-D1", "300.00"))
    with caplog.at_level("WARNING", logger="dmshub.webhooks"):
        assert post(client, delivery) == (status, "fail")
    assert inbox_count(engine) == 0
    assert process_inbox(engine, receivers).processed == 0
    assert "rejected" in caplog.text  # the attempt is logged ...
    if delivery.fields.get("sign"):
        assert delivery.fields["sign"] not in caplog.text
    assert "300.00" not in caplog.text  # ... without the body


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"a=1&&=&%zz", 400), (b"\xff\xfe=1", 400), (b"a=1&a=2", 400), (b"x" * 1_000_001, 413)],
    ids=["malformed-form", "not-utf8", "duplicate-field", "oversized"],
)
def test_a_malformed_or_oversized_form_gets_fail_and_nothing_is_stored(
    body: bytes, status: int, client: TestClient, engine: Engine
) -> None:
    response = client.post(URL, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (response.status_code, response.text) == (status, "fail" if status != 413 else response.text)
    assert inbox_count(engine) == 0
