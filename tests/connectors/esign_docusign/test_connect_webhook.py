"""DocuSign Connect events through the real endpoint: verified, stored once, processed once."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import contracts, dealers, inbox
from connectors.esign_docusign.contract_status import furthest
from connectors.esign_docusign.receiver import DocuSignConnectReceiver
from connectors.esign_docusign.sandbox import ConnectDelivery, ConnectSandbox, new_key
from flows.api import build_app
from flows.inbox import process_inbox

with warnings.catch_warnings():
    # Third-party noise: Starlette nudges TestClient users towards its httpx fork; with `-W error`
    # on the command line the pyproject ignore does not reach this import.
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

ENDPOINT = "/webhooks/esign-docusign"


@pytest.fixture
def key() -> str:
    return new_key()


@pytest.fixture
def sandbox(key: str) -> ConnectSandbox:
    return ConnectSandbox([key])


@pytest.fixture
def receivers(key: str) -> dict[str, DocuSignConnectReceiver]:
    receiver = DocuSignConnectReceiver.from_config({"hmac_keys": [key]}, name="esign-docusign")
    return {"esign-docusign": receiver}


@pytest.fixture
def client(engine: Engine, receivers: dict[str, DocuSignConnectReceiver]) -> Iterator[TestClient]:
    with engine.begin() as conn:
        conn.execute(sa.insert(dealers).values(code="D001", name="杭州西湖经销商", level=2))
    with TestClient(build_app(engine, receivers=receivers), raise_server_exceptions=False) as test_client:
        yield test_client


def post(client: TestClient, delivery: ConnectDelivery) -> int:
    return int(client.post(ENDPOINT, content=delivery.body, headers=delivery.headers).status_code)


def inbox_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(inbox)).scalar_one())


def contract(engine: Engine) -> sa.Row[tuple[object, ...]]:
    with engine.connect() as conn:
        return conn.execute(sa.select(contracts)).one()


def event(sandbox: ConnectSandbox, status: str, **kwargs: object) -> ConnectDelivery:
    return sandbox.event("env-1", status, contract_no="C-2026-001", dealer_code="D001", **kwargs)  # type: ignore[arg-type]


def test_a_completed_envelope_signs_the_contract_once(
    client: TestClient, engine: Engine, sandbox: ConnectSandbox, receivers: dict[str, DocuSignConnectReceiver]
) -> None:
    delivery = event(
        sandbox, "completed", extra_fields={"valid_from": "2026-01-01", "valid_until": "2026-12-31"}
    )
    assert post(client, delivery) == 200
    assert process_inbox(engine, receivers).processed == 1
    assert process_inbox(engine, receivers).processed == 0
    row = contract(engine)
    assert (row.contract_no, row.dealer_code, row.status, row.external_id) == (
        "C-2026-001",
        "D001",
        "signed",
        "env-1",
    )
    assert (row.provider, str(row.valid_from), str(row.valid_until)) == (
        "esign-docusign",
        "2026-01-01",
        "2026-12-31",
    )
    assert row.signed_at is not None


def test_any_one_of_several_signature_headers_may_match_while_keys_rotate(
    engine: Engine, client: TestClient, key: str
) -> None:
    rotating = ConnectSandbox([new_key(), key])  # the receiver knows only the second key
    assert post(client, event(rotating, "sent")) == 200
    assert inbox_count(engine) == 1


def test_a_duplicate_delivery_and_a_replay_are_acknowledged_and_stored_once(
    client: TestClient, engine: Engine, sandbox: ConnectSandbox
) -> None:
    first = client.post(ENDPOINT, content=(d := event(sandbox, "sent")).body, headers=d.headers)
    again = client.post(ENDPOINT, content=sandbox.replay().body, headers=sandbox.replay().headers)
    assert first.status_code == again.status_code == 200
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert inbox_count(engine) == 1


def stale(sandbox: ConnectSandbox) -> ConnectDelivery:
    return event(sandbox, "sent", generated=datetime.now(UTC) - timedelta(days=30))


def headerless(d: ConnectDelivery) -> ConnectDelivery:
    return ConnectDelivery(d.body, {"Content-Type": "application/json"})


def as_text(d: ConnectDelivery) -> ConnectDelivery:
    return ConnectDelivery(d.body, {**d.headers, "Content-Type": "text/plain"})


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda s: event(ConnectSandbox([new_key()]), "completed"), 401),  # wrong key
        (lambda s: ConnectDelivery(event(s, "completed").body, {"X-DocuSign-Signature-1": "Zm9yZ2Vk"}), 401),
        (lambda s: s.corrupt(event(s, "completed")), 401),  # tampered body
        (lambda s: headerless(event(s, "completed")), 401),  # missing header
        (stale, 401),
        (lambda s: s.sign(b'{"event": "envelope-completed", '), 400),  # malformed JSON
        (lambda s: s.sign(b'{"event": "envelope-completed"}'), 400),  # no data / envelope id
        (lambda s: as_text(event(s, "completed")), 415),
        (lambda s: s.sign(b"x" * 1_000_001), 413),
    ],
    ids=[
        "wrong-key",
        "forged",
        "tampered",
        "missing",
        "stale",
        "bad-json",
        "no-envelope",
        "content-type",
        "big",
    ],
)
def test_bad_deliveries_are_refused_and_nothing_is_stored(
    client: TestClient,
    engine: Engine,
    sandbox: ConnectSandbox,
    key: str,
    make: object,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    delivery: ConnectDelivery = make(sandbox)  # type: ignore[operator]
    assert post(client, delivery) == status
    assert inbox_count(engine) == 0
    assert key not in caplog.text


def test_a_delivered_event_moves_a_sent_contract_forward(
    client: TestClient, engine: Engine, sandbox: ConnectSandbox, receivers: dict[str, DocuSignConnectReceiver]
) -> None:
    at = datetime.now(UTC) - timedelta(minutes=5)
    for n, status in enumerate(("sent", "delivered")):
        assert post(client, event(sandbox, status, generated=at + timedelta(minutes=n))) == 200
    assert process_inbox(engine, receivers).processed == 2
    assert contract(engine).status == "delivered"


def test_the_status_order_keeps_the_furthest_state() -> None:
    assert furthest("signed", "sent") == "signed"
    assert furthest("sent", "delivered") == "delivered"
    assert furthest("declined", "signed") == "declined"
    assert furthest(None, "sent") == "sent"


def test_every_change_declares_the_status_order_its_applier_must_keep(
    sandbox: ConnectSandbox, receivers: dict[str, DocuSignConnectReceiver]
) -> None:
    receiver = receivers["esign-docusign"]
    delivery = event(sandbox, "sent")
    (change,) = receiver.to_changes(receiver.parse(delivery.headers, delivery.body))
    assert change["keep_furthest"]["status"]["signed"] > change["keep_furthest"]["status"]["sent"]


def test_a_sent_event_arriving_after_completed_does_not_unsign_the_contract(
    client: TestClient, engine: Engine, sandbox: ConnectSandbox, receivers: dict[str, DocuSignConnectReceiver]
) -> None:
    at = datetime.now(UTC) - timedelta(minutes=5)
    sent, completed = (
        event(sandbox, "sent", generated=at),
        event(sandbox, "completed", generated=at + timedelta(minutes=1)),
    )
    for delivery in sandbox.reorder([sent, completed]):
        assert post(client, delivery) == 200
    assert process_inbox(engine, receivers).processed == 2
    assert contract(engine).status == "signed"


def test_a_dealer_whose_contract_is_signed_through_connect_passes_the_ordering_contract_check(
    client: TestClient, engine: Engine, sandbox: ConnectSandbox, receivers: dict[str, DocuSignConnectReceiver]
) -> None:
    from datetime import date

    from dms_core.ordering.dealers import dealer_facts, lock_dealer
    from dms_core.ordering.validation import check_contract

    def contract_check() -> tuple[bool, str]:
        with engine.begin() as conn:
            dealer = lock_dealer(conn, "D001")
            assert dealer is not None
            (result,) = check_contract(dealer, dealer_facts(conn, "D001"), date(2026, 6, 1))
        return result.ok, result.message

    with engine.begin() as conn:
        conn.execute(sa.update(dealers).where(dealers.c.code == "D001").values(contract_required=True))
    validity = {"valid_from": "2026-01-01", "valid_until": "2026-12-31"}
    assert post(client, event(sandbox, "sent", extra_fields=validity)) == 200
    process_inbox(engine, receivers)
    assert contract_check() == (False, "contract C-2026-001 is not signed yet (sent)")
    assert post(client, event(sandbox, "completed", extra_fields=validity)) == 200
    process_inbox(engine, receivers)
    assert contract_check() == (True, "contract C-2026-001 signed and valid")
