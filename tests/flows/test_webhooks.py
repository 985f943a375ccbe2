"""Signed webhooks end to end: verify → inbox once → ack; then processed exactly once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from canonical_model.tables import inbox, payments
from connectors.webhook_hmac.receiver import HmacWebhookReceiver, sign
from flows.api import build_app
from flows.inbox import process_inbox

SECRET = "whsec_canary_Q9x"
CONFIG = {
    "secret": SECRET,
    "entity": "payments",
    "fields": {
        "payment_no": "data.payment_no",
        "channel": "data.channel",
        "amount": "data.amount",
        "currency": "data.currency",
        "status": "data.status",
    },
}


def event(event_id: str = "evt_1", amount: str = "100.00", status: str = "succeeded") -> bytes:
    data = {"payment_no": "PAY-1", "channel": "bank", "amount": amount, "currency": "CNY", "status": status}
    return json.dumps({"id": event_id, "type": "payment.updated", "data": data}).encode()


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if at is None else at
    return {"Signature": f"t={stamp},v1={sign(secret, stamp, body)}", "Content-Type": "application/json"}


@pytest.fixture
def receivers() -> dict[str, HmacWebhookReceiver]:
    return {"bank": HmacWebhookReceiver.from_config(CONFIG, name="bank")}


@pytest.fixture
def client(engine: Engine, receivers: dict[str, HmacWebhookReceiver]) -> Iterator[TestClient]:
    with TestClient(build_app(engine, receivers=receivers), raise_server_exceptions=False) as test_client:
        yield test_client


def inbox_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(inbox)).scalar_one())


def test_a_valid_delivery_is_stored_once_and_a_redelivery_is_acknowledged_again(
    client: TestClient, engine: Engine
) -> None:
    body = event()
    first = client.post("/webhooks/bank", content=body, headers=signed(body))
    again = client.post("/webhooks/bank", content=body, headers=signed(body))
    assert first.status_code == again.status_code == 200
    assert first.json() == {"received": True, "duplicate": False}
    assert again.json() == {"received": True, "duplicate": True}
    assert inbox_count(engine) == 1


@pytest.mark.parametrize(
    ("make_headers", "body", "status"),
    [
        (lambda b: signed(b, secret="wrong-key"), event(), 401),  # forged / wrong key
        (lambda b: signed(event(amount="999.00")), event(), 401),  # tampered body
        (lambda b: {"Content-Type": "application/json"}, event(), 401),  # missing header
        (lambda b: {"Signature": "v1=abc", "Content-Type": "application/json"}, event(), 401),  # malformed
        (lambda b: signed(b, at=int(time.time()) - 3600), event(), 401),  # stale timestamp (replay)
        (lambda b: signed(b), b"{not json", 400),  # malformed JSON
        (lambda b: {**signed(b), "Content-Type": "text/plain"}, event(), 415),  # wrong content type
        (lambda b: signed(b), b"x" * 1_000_001, 413),  # oversized
    ],
    ids=[
        "forged",
        "tampered",
        "missing",
        "malformed-header",
        "stale",
        "bad-json",
        "content-type",
        "oversized",
    ],
)
def test_bad_deliveries_are_refused_and_nothing_is_stored(
    client: TestClient,
    engine: Engine,
    make_headers: object,
    body: bytes,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    response = client.post("/webhooks/bank", content=body, headers=make_headers(body))  # type: ignore[operator]
    assert response.status_code == status
    assert inbox_count(engine) == 0
    assert SECRET not in caplog.text


def test_an_unknown_webhook_is_404(client: TestClient) -> None:
    assert client.post("/webhooks/nope", content=b"{}").status_code == 404


def test_processing_applies_each_delivery_once_even_after_a_crash_between_ack_and_processing(
    client: TestClient, engine: Engine, receivers: dict[str, HmacWebhookReceiver]
) -> None:
    for body in (event("evt_1", "100.00", "pending"), event("evt_2", "100.00", "succeeded")):
        assert client.post("/webhooks/bank", content=body, headers=signed(body)).status_code == 200
    # The process that acknowledged them died here: nothing was processed yet, nothing is lost.
    assert process_inbox(engine, receivers).processed == 2
    assert process_inbox(engine, receivers).processed == 0  # a second worker finds nothing to do
    with engine.connect() as conn:
        payment = conn.execute(sa.select(payments)).one()
        statuses = conn.execute(sa.select(inbox.c.status)).scalars().all()
    assert (payment.amount, payment.status, payment.source_system) == (Decimal("100.00"), "succeeded", "bank")
    assert statuses == ["processed", "processed"]


def test_the_openapi_schema_documents_the_webhook_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/webhooks/{name}"]
