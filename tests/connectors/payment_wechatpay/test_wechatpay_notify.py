"""WeChat Pay v3 notifications through the real webhook endpoint: verify, decrypt, store and process once."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.errors import ConfigError
from canonical_model.tables import inbox, payments
from connectors.payment_wechatpay.descriptor import CONNECTOR
from connectors.payment_wechatpay.receiver import WechatPayNotifyReceiver
from connectors.payment_wechatpay.sandbox import Delivery, WechatPaySandbox
from flows.api import build_app
from flows.inbox import process_inbox

with warnings.catch_warnings():
    # Third-party noise: Starlette nudges TestClient users towards its httpx fork (a UserWarning
    # raised at import, before pyproject's filter applies under -W error); httpx works.
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

URL = "/webhooks/payment-wechatpay"
ORDER = "SO-2026-0077"
SUCCESS = {"code": "SUCCESS", "message": "成功"}


@pytest.fixture(scope="module")
def sandbox() -> WechatPaySandbox:
    return WechatPaySandbox()


@pytest.fixture
def receivers(sandbox: WechatPaySandbox) -> dict[str, WechatPayNotifyReceiver]:
    receiver = WechatPayNotifyReceiver.from_config(sandbox.receiver_config(), name="payment-wechatpay")
    return {"payment-wechatpay": receiver}


@pytest.fixture
def client(engine: Engine, receivers: dict[str, WechatPayNotifyReceiver]) -> Iterator[TestClient]:
    with TestClient(build_app(engine, receivers=receivers), raise_server_exceptions=False) as test_client:
        yield test_client


def post(client: TestClient, delivery: Delivery) -> tuple[int, object]:
    response = client.post(URL, content=delivery.body, headers=delivery.headers)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


def inbox_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(inbox)).scalar_one())


def payment_rows(engine: Engine) -> dict[str, sa.Row[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {row.payment_no: row for row in conn.execute(sa.select(payments))}


def test_the_descriptor_names_a_webhook_factory_that_builds_the_receiver(sandbox: WechatPaySandbox) -> None:
    assert (CONNECTOR.name, CONNECTOR.kind) == ("payment-wechatpay", "webhook")
    receiver = CONNECTOR.load_factory()(sandbox.receiver_config(), name="wx-main")
    assert isinstance(receiver, WechatPayNotifyReceiver) and receiver.name == "wx-main"


def test_an_apiv3_key_that_is_not_32_bytes_is_refused_and_not_echoed(sandbox: WechatPaySandbox) -> None:
    with pytest.raises(ConfigError, match="32 bytes") as info:
        WechatPayNotifyReceiver.from_config(sandbox.receiver_config(apiv3_key="short-secret-canary"))
    assert "short-secret-canary" not in str(info.value)


def test_a_platform_key_that_is_not_a_pem_public_key_is_a_config_error(sandbox: WechatPaySandbox) -> None:
    with pytest.raises(ConfigError, match="platform key 'S1'"):
        WechatPayNotifyReceiver.from_config(sandbox.receiver_config(platform_public_keys={"S1": "not a key"}))


def test_a_valid_notification_is_decrypted_acknowledged_and_processed_exactly_once(
    client: TestClient,
    engine: Engine,
    sandbox: WechatPaySandbox,
    receivers: dict[str, WechatPayNotifyReceiver],
) -> None:
    assert post(client, sandbox.payment(f"{ORDER}-D1", 12345)) == (200, SUCCESS)
    assert process_inbox(engine, receivers).processed == 1
    assert process_inbox(engine, receivers).processed == 0
    row = payment_rows(engine)[f"{ORDER}-D1"]
    assert (row.channel, row.order_no, row.amount, row.currency, row.status) == (
        "wechat",
        ORDER,
        Decimal("123.45"),
        "CNY",
        "succeeded",
    )
    assert row.external_id and row.paid_at is not None and row.paid_at.utcoffset().total_seconds() == 0


def test_the_inbox_keeps_the_body_encrypted(
    client: TestClient, engine: Engine, sandbox: WechatPaySandbox
) -> None:
    post(client, sandbox.payment(f"{ORDER}-D1", 100))
    with engine.connect() as conn:
        body = conn.execute(sa.select(inbox.c.body)).scalar_one()
    assert ORDER not in body and "ciphertext" in body


def test_a_duplicate_delivery_is_acknowledged_again_but_stored_and_processed_once(
    client: TestClient,
    engine: Engine,
    sandbox: WechatPaySandbox,
    receivers: dict[str, WechatPayNotifyReceiver],
) -> None:
    sandbox.payment(f"{ORDER}-D1", 30000)
    assert post(client, sandbox.replay()) == (200, SUCCESS)
    assert post(client, sandbox.replay()) == (200, SUCCESS)
    assert inbox_count(engine) == 1
    assert process_inbox(engine, receivers).processed == 1


def test_a_replayed_delivery_after_the_tolerance_is_refused(
    client: TestClient, engine: Engine, sandbox: WechatPaySandbox
) -> None:
    captured = sandbox.payment(f"{ORDER}-D1", 30000, at=int(time.time()) - 3600)
    status, reply = post(client, captured)
    assert status == 401 and isinstance(reply, dict) and reply["code"] == "FAIL"
    assert inbox_count(engine) == 0


def test_a_refund_delivered_before_its_payment_still_yields_both_rows(
    client: TestClient,
    engine: Engine,
    sandbox: WechatPaySandbox,
    receivers: dict[str, WechatPayNotifyReceiver],
) -> None:
    sandbox.sent.clear()
    sandbox.payment(f"{ORDER}-B1", 70000)
    sandbox.refund(f"{ORDER}-B1", 70000, 20000)
    for delivery in sandbox.reordered():  # refund first
        assert post(client, delivery) == (200, SUCCESS)
    assert process_inbox(engine, receivers).processed == 2
    rows = payment_rows(engine)
    assert (rows[f"{ORDER}-B1"].status, rows[f"{ORDER}-B1"].amount) == ("succeeded", Decimal("700.00"))
    [refund] = [row for no, row in rows.items() if no.startswith(f"{ORDER}-B1-R-")]
    assert (refund.status, refund.amount, refund.order_no) == ("refunded", Decimal("200.00"), ORDER)


Tamper = Callable[[WechatPaySandbox, Delivery], Delivery]


def _resigned(sandbox: WechatPaySandbox, body: bytes) -> Delivery:
    return Delivery(sandbox.signed_headers(body), body)


def _without(header: str) -> Tamper:
    return lambda s, d: Delivery({k: v for k, v in d.headers.items() if k != header}, d.body)


def _other_mchid(s: WechatPaySandbox, d: Delivery) -> Delivery:
    notification = json.loads(d.body)
    notification["resource"] = s.encrypt(
        {"mchid": "1900009999", "out_trade_no": f"{ORDER}-D1", "trade_state": "SUCCESS"}
    )
    return _resigned(s, json.dumps(notification).encode())


def _forged(s: WechatPaySandbox, d: Delivery) -> Delivery:
    """Signed with another key, claiming our platform serial."""
    return s.corrupt(
        Delivery(WechatPaySandbox().signed_headers(d.body), d.body), headers={"Wechatpay-Serial": s.serial}
    )


BAD: dict[str, tuple[Tamper, int]] = {
    "forged-with-another-key": (_forged, 401),
    "unknown-serial": (lambda s, d: s.corrupt(d, headers={"Wechatpay-Serial": "DEADBEEF"}), 401),
    "tampered-body": (lambda s, d: s.corrupt(d, body=d.body.replace(b"TRANSACTION", b"TRANSACTIOM")), 401),
    "garbage-signature": (lambda s, d: s.corrupt(d, headers={"Wechatpay-Signature": "%%%"}), 401),
    "tampered-timestamp": (
        lambda s, d: s.corrupt(d, headers={"Wechatpay-Timestamp": str(int(time.time()) + 1)}),
        401,
    ),
    "stale-timestamp": (
        lambda s, d: Delivery(s.signed_headers(d.body, at=int(time.time()) - 301), d.body),
        401,
    ),
    "future-timestamp": (
        lambda s, d: Delivery(s.signed_headers(d.body, at=int(time.time()) + 3600), d.body),
        401,
    ),
    "missing-serial": (_without("Wechatpay-Serial"), 401),
    "missing-signature": (_without("Wechatpay-Signature"), 401),
    "missing-timestamp": (_without("Wechatpay-Timestamp"), 401),
    "missing-nonce": (_without("Wechatpay-Nonce"), 401),
    "other-signature-type": (
        lambda s, d: s.corrupt(d, headers={"Wechatpay-Signature-Type": "WECHATPAY2-SM2"}),
        401,
    ),
    "wrong-content-type": (lambda s, d: s.corrupt(d, headers={"Content-Type": "text/plain"}), 415),
    "malformed-json": (lambda s, d: _resigned(s, b'{"id": "x", '), 400),
    "not-an-object": (lambda s, d: _resigned(s, b"[1, 2]"), 400),
    "ciphertext-under-another-apiv3-key": (
        lambda s, d: _resigned(
            s, json.dumps({**json.loads(d.body), "resource": WechatPaySandbox().encrypt({})}).encode()
        ),
        400,
    ),
    "another-merchant": (_other_mchid, 401),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_notification_gets_a_fail_reply_and_nothing_is_stored_or_logged_secretly(
    case: str,
    client: TestClient,
    engine: Engine,
    sandbox: WechatPaySandbox,
    receivers: dict[str, WechatPayNotifyReceiver],
    caplog: pytest.LogCaptureFixture,
) -> None:
    tamper, status = BAD[case]
    delivery = tamper(sandbox, sandbox.payment(f"{ORDER}-D1", 30000))
    with caplog.at_level("WARNING", logger="dmshub.webhooks"):
        code, reply = post(client, delivery)
    assert code == status
    assert isinstance(reply, dict) and reply["code"] == "FAIL" and reply["message"]
    assert inbox_count(engine) == 0
    assert process_inbox(engine, receivers).processed == 0
    assert "rejected" in caplog.text
    assert sandbox.apiv3_key not in caplog.text
    assert delivery.headers.get("Wechatpay-Signature", "<none>") not in caplog.text


def test_an_oversized_body_is_refused_before_it_is_read(
    client: TestClient, engine: Engine, sandbox: WechatPaySandbox
) -> None:
    body = b"x" * 1_000_001
    assert client.post(URL, content=body, headers=sandbox.signed_headers(body)).status_code == 413
    assert inbox_count(engine) == 0


def test_a_closed_trade_is_recorded_closed_and_an_unpaid_one_records_nothing(
    client: TestClient,
    engine: Engine,
    sandbox: WechatPaySandbox,
    receivers: dict[str, WechatPayNotifyReceiver],
) -> None:
    post(client, sandbox.payment(f"{ORDER}-D1", 30000, trade_state="NOTPAY"))
    post(client, sandbox.payment(f"{ORDER}-D2", 30000, trade_state="CLOSED"))
    assert process_inbox(engine, receivers).processed == 2
    rows = payment_rows(engine)
    assert list(rows) == [f"{ORDER}-D2"]
    assert (rows[f"{ORDER}-D2"].status, rows[f"{ORDER}-D2"].paid_at) == ("closed", None)
