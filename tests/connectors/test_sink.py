"""Writing exactly once: a timeout after the remote committed never creates a second document."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
import respx

from connectors.errors import AmbiguousOutcome, RemoteRejected, RetriableConnectorError
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client
from connectors.sink import Sink, submit_exactly_once


class FlakyErp:
    """A fake ERP sink: ``failures`` says what each submit does before (or instead of) working.

    ``"commit-then-timeout"`` stores the document and then loses the answer;
    ``"timeout"`` loses the request before it is stored; ``"down"`` fails cleanly;
    ``"reject"`` refuses the document.
    """

    def __init__(self, *failures: str) -> None:
        self.failures = list(failures)
        self.documents: dict[str, dict[str, Any]] = {}
        self.lookups = 0

    def submit(self, document: Mapping[str, Any], *, idempotency_key: str) -> str:
        failure = self.failures.pop(0) if self.failures else None
        if failure == "reject":
            raise RemoteRejected("erp: sold-to blocked", system="erp")
        if failure == "down":
            raise RetriableConnectorError("erp: 503", system="erp", status_code=503)
        if failure == "timeout":
            raise AmbiguousOutcome("erp: read timeout", system="erp")
        self.documents[idempotency_key] = dict(document)
        if failure == "commit-then-timeout":
            raise AmbiguousOutcome("erp: read timeout", system="erp")
        return self.ref(idempotency_key)

    def lookup(self, idempotency_key: str) -> str | None:
        self.lookups += 1
        return self.ref(idempotency_key) if idempotency_key in self.documents else None

    def ref(self, idempotency_key: str) -> str:
        return f"45{list(self.documents).index(idempotency_key):06d}"


ORDER = {"po": "PO-1", "lines": [{"sku": "A", "qty": 12}]}


def test_fake_erp_is_a_sink() -> None:
    assert isinstance(FlakyErp(), Sink)


def test_a_commit_followed_by_a_timeout_yields_one_document_not_two(sleeps: Any) -> None:
    erp = FlakyErp("commit-then-timeout")
    assert submit_exactly_once(erp, ORDER, "order-PO-1", sleep=sleeps) == "45000000"
    assert list(erp.documents) == ["order-PO-1"]
    assert erp.lookups == 1


def test_a_timeout_before_the_commit_is_submitted_again_after_a_lookup(sleeps: Any) -> None:
    erp = FlakyErp("timeout", "down")
    assert submit_exactly_once(erp, ORDER, "order-PO-1", sleep=sleeps) == "45000000"
    assert len(erp.documents) == 1
    assert erp.lookups == 2
    assert len(sleeps.calls) == 2


def test_a_commit_on_the_last_attempt_is_found_by_a_final_lookup(sleeps: Any) -> None:
    erp = FlakyErp("timeout", "commit-then-timeout")
    assert submit_exactly_once(erp, ORDER, "order-PO-1", retries=1, sleep=sleeps) == "45000000"
    assert len(erp.documents) == 1


def test_running_out_of_attempts_after_ambiguous_failures_stays_ambiguous(sleeps: Any) -> None:
    erp = FlakyErp("timeout", "timeout", "timeout")
    with pytest.raises(AmbiguousOutcome):
        submit_exactly_once(erp, ORDER, "order-PO-1", retries=2, sleep=sleeps)
    assert erp.documents == {}


def test_a_rejected_document_is_not_retried(sleeps: Any) -> None:
    erp = FlakyErp("reject")
    with pytest.raises(RemoteRejected):
        submit_exactly_once(erp, ORDER, "order-PO-1", sleep=sleeps)
    assert erp.lookups == 0
    assert sleeps.calls == []


def test_lookup_first_returns_a_document_an_earlier_run_already_sent(sleeps: Any) -> None:
    erp = FlakyErp()
    first = submit_exactly_once(erp, ORDER, "order-PO-1", sleep=sleeps)
    assert submit_exactly_once(erp, ORDER, "order-PO-1", lookup_first=True, sleep=sleeps) == first
    assert len(erp.documents) == 1


class HttpErpSink:
    """A sink over the shared HTTP client: POST /orders, GET /orders?ref=KEY."""

    def __init__(self, client: HubHttpClient) -> None:
        self.client = client

    def submit(self, document: Mapping[str, Any], *, idempotency_key: str) -> str:
        response = self.client.post("/orders", json={**document, "reference": idempotency_key})
        return str(response.json()["number"])

    def lookup(self, idempotency_key: str) -> str | None:
        found = self.client.get("/orders", params={"reference": idempotency_key}).json()
        return str(found[0]["number"]) if found else None


def test_over_http_a_post_that_commits_and_then_times_out_creates_one_order(
    remote: respx.MockRouter, sleeps: Any
) -> None:
    stored: list[dict[str, Any]] = []

    def create(request: httpx.Request) -> httpx.Response:
        stored.append({**json.loads(request.content), "number": f"45{len(stored):06d}"})
        raise httpx.ReadTimeout("the ERP committed, the answer was lost", request=request)

    def find(request: httpx.Request) -> httpx.Response:
        reference = request.url.params["reference"]
        return httpx.Response(200, json=[order for order in stored if order["reference"] == reference])

    post = remote.post("https://erp.example/orders").mock(side_effect=create)
    remote.get("https://erp.example/orders").mock(side_effect=find)
    config = HttpClientConfig(system="erp", base_url="https://erp.example", sleep=sleeps)
    with build_http_client(config) as client:
        number = submit_exactly_once(HttpErpSink(client), ORDER, "order-PO-1", sleep=sleeps)
    assert number == "45000000"
    assert post.call_count == 1
    assert len(stored) == 1
