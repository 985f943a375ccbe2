"""The shared HTTP client: what it retries, what it never retries, and what it never leaks."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import respx

from connectors._httpx_errors import parse_retry_after
from connectors.error_mapping import DEFAULT_ERROR_MAPPING, ResponseAction, merge_error_mapping
from connectors.errors import (
    AmbiguousOutcome,
    AuthenticationError,
    RateLimited,
    RemoteRejected,
    RetriableConnectorError,
)
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client
from connectors.ratelimit import RateLimiter

BASE = "https://api.vendor.test"
CANARY = "canary-7f3a9c2e51d4"


def make_client(sleeps: Any, **overrides: Any) -> HubHttpClient:
    settings: dict[str, Any] = {
        "system": "vendor",
        "base_url": BASE,
        "max_retries": 3,
        "sleep": sleeps,
        "secrets": (CANARY,),
        "headers": {"Authorization": f"Bearer {CANARY}"},
    }
    settings.update(overrides)
    return build_http_client(HttpClientConfig(**settings))


def test_rate_limited_request_waits_what_retry_after_asks_then_succeeds(
    remote: respx.MockRouter, sleeps: Any
) -> None:
    route = remote.get(f"{BASE}/items").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": 1})]
    )
    with make_client(sleeps) as client:
        response = client.get("/items")
    assert response.json() == {"ok": 1}
    assert route.call_count == 2
    assert sleeps.calls == [7.0]


def test_a_huge_retry_after_is_capped(remote: respx.MockRouter, sleeps: Any) -> None:
    remote.get(f"{BASE}/items").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "86400"}), httpx.Response(200)]
    )
    with make_client(sleeps, retry_after_max=120.0) as client:
        client.get("/items")
    assert sleeps.calls == [120.0]


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC)
    assert parse_retry_after("12", now=now) == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


def test_persistent_throttling_raises_rate_limited_with_the_wait_asked_for(
    remote: respx.MockRouter, sleeps: Any
) -> None:
    route = remote.get(f"{BASE}/items").mock(return_value=httpx.Response(429, headers={"Retry-After": "3"}))
    with make_client(sleeps) as client, pytest.raises(RateLimited) as caught:
        client.get("/items")
    assert caught.value.retry_after == 3.0
    assert caught.value.status_code == 429
    assert route.call_count == 4


def test_server_errors_are_retried_then_succeed(remote: respx.MockRouter, sleeps: Any) -> None:
    route = remote.get(f"{BASE}/items").mock(
        side_effect=[httpx.Response(503), httpx.Response(500), httpx.Response(200, json=[1])]
    )
    with make_client(sleeps) as client:
        assert client.get("/items").json() == [1]
    assert route.call_count == 3
    assert len(sleeps.calls) == 2


def test_server_errors_that_persist_raise_a_retriable_error_after_the_last_attempt(
    remote: respx.MockRouter, sleeps: Any
) -> None:
    route = remote.get(f"{BASE}/items").mock(return_value=httpx.Response(502))
    with make_client(sleeps, max_retries=2) as client, pytest.raises(RetriableConnectorError) as caught:
        client.get("/items")
    assert route.call_count == 3
    assert caught.value.status_code == 502
    assert caught.value.system == "vendor"


@pytest.mark.parametrize("status", [400, 404, 409, 422])
def test_client_errors_are_never_retried(remote: respx.MockRouter, sleeps: Any, status: int) -> None:
    route = remote.post(f"{BASE}/orders").mock(
        return_value=httpx.Response(status, json={"error": {"message": "order type ZOR unknown"}})
    )
    with make_client(sleeps) as client, pytest.raises(RemoteRejected) as caught:
        client.post("/orders", json={"type": "ZOR"}, idempotency_key="k1")
    assert route.call_count == 1
    assert sleeps.calls == []
    assert caught.value.remote_messages == ("order type ZOR unknown",)
    assert "order type ZOR unknown" in str(caught.value)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_raise_authentication_error_without_retry(
    remote: respx.MockRouter, sleeps: Any, status: int
) -> None:
    route = remote.get(f"{BASE}/items").mock(return_value=httpx.Response(status))
    with make_client(sleeps) as client, pytest.raises(AuthenticationError):
        client.get("/items")
    assert route.call_count == 1


def test_timeouts_are_retried_then_raise_a_retriable_error(remote: respx.MockRouter, sleeps: Any) -> None:
    route = remote.get(f"{BASE}/items").mock(side_effect=httpx.ReadTimeout("timed out"))
    with make_client(sleeps) as client, pytest.raises(RetriableConnectorError) as caught:
        client.get("/items")
    assert not isinstance(caught.value, AmbiguousOutcome)  # a GET is safe to repeat
    assert route.call_count == 4
    assert len(sleeps.calls) == 3
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


def test_a_connection_reset_is_retried(remote: respx.MockRouter, sleeps: Any) -> None:
    route = remote.get(f"{BASE}/items").mock(
        side_effect=[httpx.ReadError("connection reset by peer"), httpx.Response(200, json=[])]
    )
    with make_client(sleeps) as client:
        assert client.get("/items").json() == []
    assert route.call_count == 2


def test_a_write_that_times_out_after_sending_is_ambiguous_and_not_retried(
    remote: respx.MockRouter, sleeps: Any
) -> None:
    route = remote.post(f"{BASE}/orders").mock(side_effect=httpx.ReadTimeout("timed out"))
    with make_client(sleeps) as client, pytest.raises(AmbiguousOutcome):
        client.post("/orders", json={"po": "PO-1"})
    assert route.call_count == 1


def test_a_write_answered_with_a_server_error_is_ambiguous_and_not_retried(
    remote: respx.MockRouter, sleeps: Any
) -> None:
    route = remote.post(f"{BASE}/orders").mock(return_value=httpx.Response(502))
    with make_client(sleeps) as client, pytest.raises(AmbiguousOutcome):
        client.post("/orders", json={"po": "PO-1"})
    assert route.call_count == 1


def test_a_write_that_never_connected_is_retried(remote: respx.MockRouter, sleeps: Any) -> None:
    route = remote.post(f"{BASE}/orders").mock(
        side_effect=[httpx.ConnectError("connection refused"), httpx.Response(201, json={"id": "4500001"})]
    )
    with make_client(sleeps) as client:
        assert client.post("/orders", json={"po": "PO-1"}).json() == {"id": "4500001"}
    assert route.call_count == 2


def test_a_write_with_an_idempotency_key_is_retried_with_the_same_key(
    remote: respx.MockRouter, sleeps: Any
) -> None:
    route = remote.post(f"{BASE}/orders").mock(
        side_effect=[httpx.ReadTimeout("timed out"), httpx.Response(201, json={"id": "4500001"})]
    )
    with make_client(sleeps) as client:
        client.post("/orders", json={"po": "PO-1"}, idempotency_key="order-PO-1")
    assert [call.request.headers["Idempotency-Key"] for call in route.calls] == ["order-PO-1", "order-PO-1"]


def test_an_ignored_status_hands_the_response_back(remote: respx.MockRouter, sleeps: Any) -> None:
    remote.get(f"{BASE}/orders/PO-9").mock(return_value=httpx.Response(404))
    mapping = merge_error_mapping(DEFAULT_ERROR_MAPPING, {404: ResponseAction.IGNORE})
    with make_client(sleeps, error_mapping=mapping) as client:
        assert client.get("/orders/PO-9").status_code == 404
    assert DEFAULT_ERROR_MAPPING[404] is ResponseAction.FAIL  # the default table is untouched


def test_secrets_in_url_headers_and_echoed_bodies_never_reach_errors_or_logs(
    remote: respx.MockRouter, sleeps: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="connectors")
    remote.get(f"{BASE}/orders").mock(
        return_value=httpx.Response(500, json={"message": f"token {CANARY} expired"})
    )
    remote.get(f"{BASE}/items").mock(return_value=httpx.Response(400, text=f"bad sign for key {CANARY}"))
    with make_client(sleeps) as client:
        with pytest.raises(RetriableConnectorError) as server_error:
            client.get(f"/orders?access_token={CANARY}&page=2")
        with pytest.raises(RemoteRejected) as rejected:
            client.get("/items", params={"sign": "abc123", "q": CANARY})
    texts = [str(server_error.value), str(rejected.value), *rejected.value.remote_messages]
    texts += [record.getMessage() for record in caplog.records]
    assert caplog.records, "the retries were logged"
    for text in texts:
        assert CANARY not in text
        assert "abc123" not in text
    assert "page=2" in str(server_error.value)
    assert "access_token=***" in str(server_error.value)


def test_credentials_sent_in_headers_are_masked_even_when_not_listed_as_secrets(
    remote: respx.MockRouter, sleeps: Any
) -> None:
    token, signature = "tok-51c0e9aa77", "sig-0d4be219c3"
    remote.get(f"{BASE}/items").mock(
        return_value=httpx.Response(400, json={"msg": f"token {token} / sign {signature} invalid"})
    )
    client = make_client(sleeps, secrets=(), headers={"Authorization": f"Bearer {token}"})
    with client, pytest.raises(RemoteRejected) as caught:
        client.get("/items", headers={"X-FASC-Sign": signature})
    assert token not in str(caught.value)
    assert signature not in str(caught.value)
    assert "invalid" in str(caught.value)


def test_requests_are_spaced_by_the_rate_limit(remote: respx.MockRouter, sleeps: Any) -> None:
    remote.get(f"{BASE}/items").mock(return_value=httpx.Response(200))
    with make_client(sleeps, rate_limit_per_second=10.0, clock=lambda: 100.0) as client:
        for _ in range(3):
            client.get("/items")
    assert sleeps.calls == pytest.approx([0.1, 0.2])


def test_the_rate_limiter_gives_concurrent_callers_distinct_slots() -> None:
    waits: list[float] = []
    lock = threading.Lock()
    limiter = RateLimiter(4.0, clock=lambda: 0.0, sleep=lambda seconds: None)

    def take() -> None:
        wait = limiter.acquire()
        with lock:
            waits.append(wait)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == pytest.approx([0.25 * i for i in range(8)])


def test_the_remote_fixture_lets_loopback_traffic_through(remote: respx.MockRouter) -> None:
    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"real server")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        response = httpx.get(f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
    assert response.text == "real server"
