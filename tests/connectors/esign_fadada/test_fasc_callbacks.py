"""法大大 FASC v5.1 callbacks through the real endpoint: verified, stored once, processed once."""

from __future__ import annotations

import hashlib
import hmac
import time
import warnings
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import contracts, dealers, inbox
from connectors.esign_fadada.receiver import FadadaCallbackReceiver
from connectors.esign_fadada.sandbox import FascCallback, FascCallbackSandbox, new_app_secret
from connectors.esign_fadada.signing import canonical_string, sign
from flows.api import build_app
from flows.inbox import process_inbox

with warnings.catch_warnings():
    # Third-party noise: Starlette nudges TestClient users towards its httpx fork; with `-W error`
    # on the command line the pyproject ignore does not reach this import.
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

ENDPOINT = "/webhooks/esign-fadada"
APP_ID = "80000001"


@pytest.fixture
def secret() -> str:
    return new_app_secret()


@pytest.fixture
def sandbox(secret: str) -> FascCallbackSandbox:
    return FascCallbackSandbox(APP_ID, secret)


@pytest.fixture
def receivers(secret: str) -> dict[str, FadadaCallbackReceiver]:
    receiver = FadadaCallbackReceiver.from_config(
        {"app_id": APP_ID, "app_secret": secret}, name="esign-fadada"
    )
    return {"esign-fadada": receiver}


@pytest.fixture
def client(engine: Engine, receivers: dict[str, FadadaCallbackReceiver]) -> Iterator[TestClient]:
    with engine.begin() as conn:
        conn.execute(sa.insert(dealers).values(code="D001", name="杭州西湖经销商", level=2))
    with TestClient(build_app(engine, receivers=receivers), raise_server_exceptions=False) as test_client:
        yield test_client


def post(client: TestClient, delivery: FascCallback) -> int:
    return int(client.post(ENDPOINT, content=delivery.body, headers=delivery.headers).status_code)


def inbox_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(inbox)).scalar_one())


def task(sandbox: FascCallbackSandbox, status: str, **kwargs: int) -> FascCallback:
    return sandbox.task_event("ST-1001", status, dealer_code="D001", contract_no="C-2026-002", **kwargs)


def test_the_signature_is_the_two_step_hmac_of_the_sorted_parameters() -> None:
    params = {
        "X-FASC-Timestamp": "1700000000000",
        "bizContent": '{"a":1}',
        "X-FASC-App-Id": "A",
        "X-FASC-Nonce": "",
    }
    assert canonical_string(params) == 'X-FASC-App-Id=A&X-FASC-Timestamp=1700000000000&bizContent={"a":1}'
    # Independently computed: sha256_hex of the string, then HMAC keyed by HMAC(secret, timestamp).
    text = hashlib.sha256(canonical_string(params).encode()).hexdigest()
    key = hmac.new(b"s3cret", b"1700000000000", hashlib.sha256).digest()
    assert sign("s3cret", "1700000000000", params) == hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    assert len(sign("s3cret", "1700000000000", params)) == 64


def test_a_finished_sign_task_signs_the_contract_once(
    client: TestClient,
    engine: Engine,
    sandbox: FascCallbackSandbox,
    receivers: dict[str, FadadaCallbackReceiver],
) -> None:
    response = client.post(ENDPOINT, content=(d := task(sandbox, "task_finished")).body, headers=d.headers)
    assert (response.status_code, response.json()) == (200, {"msg": "success"})
    assert process_inbox(engine, receivers).processed == 1
    assert process_inbox(engine, receivers).processed == 0
    with engine.connect() as conn:
        row = conn.execute(sa.select(contracts)).one()
    assert (row.contract_no, row.dealer_code, row.status) == ("C-2026-002", "D001", "signed")
    assert (row.provider, row.external_id) == ("esign-fadada", "ST-1001")
    assert row.signed_at is not None


def test_a_redelivered_callback_is_acknowledged_and_stored_once(
    client: TestClient, engine: Engine, sandbox: FascCallbackSandbox
) -> None:
    assert post(client, task(sandbox, "sign_progress")) == 200
    assert post(client, sandbox.sent[-1]) == 200  # the same bytes again (duplicate delivery)
    assert post(client, sandbox.replay(0)) == 200  # FASC's retry: fresh nonce, timestamp and signature
    assert inbox_count(engine) == 1


def test_a_signed_event_moves_a_sent_contract_forward(
    client: TestClient,
    engine: Engine,
    sandbox: FascCallbackSandbox,
    receivers: dict[str, FadadaCallbackReceiver],
) -> None:
    for status in ("sign_progress", "sign_rejected"):
        assert post(client, task(sandbox, status)) == 200
    assert process_inbox(engine, receivers).processed == 2
    with engine.connect() as conn:
        assert conn.execute(sa.select(contracts.c.status)).scalar_one() == "declined"


def without(delivery: FascCallback, header: str) -> FascCallback:
    headers = {k: v for k, v in delivery.headers.items() if k != header}
    return FascCallback(delivery.body, headers, delivery.event, delivery.biz_content)


def with_header(delivery: FascCallback, header: str, value: str) -> FascCallback:
    return FascCallback(
        delivery.body, {**delivery.headers, header: value}, delivery.event, delivery.biz_content
    )


def stale(s: FascCallbackSandbox) -> FascCallback:
    return task(s, "task_finished", timestamp_ms=int(time.time() * 1000) - 600_000)


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda s: task(FascCallbackSandbox(APP_ID, new_app_secret()), "task_finished"), 401),  # wrong key
        (lambda s: task(FascCallbackSandbox("80000002", s.app_secret), "task_finished"), 401),  # other app
        (lambda s: with_header(task(s, "task_finished"), "X-FASC-Sign", "0" * 64), 401),  # forged
        (lambda s: s.corrupt(task(s, "sign_progress")), 401),  # tampered bizContent
        (lambda s: with_header(task(s, "sign_progress"), "X-FASC-Event", "sign-task-finished"), 401),
        (lambda s: without(task(s, "task_finished"), "X-FASC-Sign"), 401),
        (lambda s: without(task(s, "task_finished"), "X-FASC-Timestamp"), 401),
        (stale, 401),
        (lambda s: s.callback("sign-task-finished", '{"signTaskId": '), 400),  # malformed JSON
        (lambda s: with_header(task(s, "task_finished"), "Content-Type", "application/json"), 415),
        (lambda s: s.callback("sign-task-finished", "x" * 1_000_001), 413),
    ],
    ids=[
        "wrong-key",
        "wrong-app",
        "forged",
        "tampered",
        "event-swapped",
        "no-sign",
        "no-timestamp",
        "stale",
        "bad-json",
        "content-type",
        "big",
    ],
)
def test_bad_callbacks_are_refused_and_nothing_is_stored(
    client: TestClient,
    engine: Engine,
    sandbox: FascCallbackSandbox,
    secret: str,
    make: object,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    delivery: FascCallback = make(sandbox)  # type: ignore[operator]
    response = client.post(ENDPOINT, content=delivery.body, headers=delivery.headers)
    assert response.status_code == status
    assert inbox_count(engine) == 0
    assert secret not in caplog.text


def test_a_progress_callback_arriving_after_finished_does_not_unsign_the_contract(
    client: TestClient,
    engine: Engine,
    sandbox: FascCallbackSandbox,
    receivers: dict[str, FadadaCallbackReceiver],
) -> None:
    progress, finished = task(sandbox, "sign_progress"), task(sandbox, "task_finished")
    for delivery in sandbox.reorder([progress, finished]):
        assert post(client, delivery) == 200
    assert process_inbox(engine, receivers).processed == 2
    with engine.connect() as conn:
        assert conn.execute(sa.select(contracts.c.status)).scalar_one() == "signed"
