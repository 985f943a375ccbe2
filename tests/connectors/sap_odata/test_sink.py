"""Sales orders into S/4HANA by deep insert: CSRF with cookies, a stale token, exactly once."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from connectors.errors import AmbiguousOutcome, AuthenticationError, RemoteRejected
from connectors.sap_odata.sandbox import SalesOrderSandbox
from connectors.sap_odata.sink import SapODataSink
from connectors.sink import Sink
from tests.connectors.conftest import SleepRecorder

ORDER: dict[str, Any] = {
    "order_no": "SO20261101-0A1B2C3D4E",
    "dealer_code": "21",
    "ship_to_dealer_code": "T-0001",
    "order_date": "2026-11-01",
    "requested_delivery_date": "2026-11-05",
    "lines": [
        {"line_no": 1, "sku": "SKU-10001", "qty": "12", "unit": "EA"},
        {"line_no": 2, "sku": "100200", "qty": "2", "unit": "CS"},
    ],
}


def make_sink(transport: httpx.MockTransport, config: dict[str, Any], sleeps: SleepRecorder) -> SapODataSink:
    return SapODataSink(config, transport=transport, sleep=sleeps)


def posts(service: SalesOrderSandbox) -> list[httpx.Request]:
    return service.requests_to("POST", "/A_SalesOrder")


def fetches(service: SalesOrderSandbox) -> list[httpx.Request]:
    return [r for r in service.requests if r.headers.get("x-csrf-token") == "fetch"]


def created(service: SalesOrderSandbox) -> list[str]:
    return [
        o["SalesOrder"]
        for o in service.book.orders.values()
        if o["PurchaseOrderByCustomer"] == ORDER["order_no"]
    ]


def test_the_sink_is_a_sink(
    transport: httpx.MockTransport, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    assert isinstance(make_sink(transport, config, sleeps), Sink)


def test_an_order_is_a_deep_insert_sent_with_a_fetched_token_and_its_session_cookie(
    service: SalesOrderSandbox, transport: httpx.MockTransport, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    with make_sink(transport, config, sleeps) as sink:
        number = sink.submit_order(ORDER)

    assert number == "5000000" and created(service) == ["5000000"]
    [fetch] = fetches(service)
    [post] = posts(service)
    assert fetch.method == "GET" and fetch.url.path == "/sap/opu/odata/sap/API_SALES_ORDER_SRV/"
    assert post.headers["x-csrf-token"] and post.headers["x-csrf-token"] != "fetch"
    assert "SAP_SESSIONID_S4H_100=" in post.headers["cookie"]
    body = json.loads(post.content)
    assert body["PurchaseOrderByCustomer"] == ORDER["order_no"] and body["SoldToParty"] == "21"
    assert body["to_Item"] == [
        {
            "SalesOrderItem": "10",
            "Material": "SKU-10001",
            "RequestedQuantity": "12",
            "RequestedQuantityUnit": "PC",
        },
        {
            "SalesOrderItem": "20",
            "Material": "100200",
            "RequestedQuantity": "2",
            "RequestedQuantityUnit": "CS",
        },
    ]
    assert body["to_Partner"] == [{"PartnerFunction": "SH", "Customer": "T-0001"}]
    assert body["RequestedDeliveryDate"] == "/Date(1793836800000)/"


def test_a_stale_token_is_refetched_once_and_the_order_created_once(
    service: SalesOrderSandbox, transport: httpx.MockTransport, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sink = make_sink(transport, config, sleeps)
    sink.submit(ORDER, idempotency_key="SO-EARLIER")
    service.expire_tokens()  # the session timed out on the server

    number = sink.submit(ORDER, idempotency_key=ORDER["order_no"])

    statuses = [r.headers.get("x-csrf-token") == "fetch" for r in service.requests]
    assert statuses == [True, False, False, True, False]  # fetch, POST, POST (403), fetch, POST
    assert created(service) == [number]


def test_a_token_refused_twice_is_an_authentication_error_not_a_loop(
    service: SalesOrderSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    def forget_tokens(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            service.expire_tokens()
        return service.handle(request)

    sink = make_sink(httpx.MockTransport(forget_tokens), config, sleeps)
    with pytest.raises(AuthenticationError, match="CSRF token refused after a refresh"):
        sink.submit(ORDER, idempotency_key=ORDER["order_no"])
    assert len(fetches(service)) == 2 and len(posts(service)) == 2 and created(service) == []


def test_an_order_sap_refuses_raises_the_gateway_messages_without_retrying(
    service: SalesOrderSandbox, transport: httpx.MockTransport, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    bad = {**ORDER, "lines": [{"sku": "NO-SUCH-SKU", "qty": 1}]}
    with pytest.raises(RemoteRejected) as caught:
        make_sink(transport, config, sleeps).submit_order(bad)
    assert caught.value.status_code == 400
    assert caught.value.remote_messages[0] == "V1/392: Material NO-SUCH-SKU is not defined for sales org.1710"
    assert len(posts(service)) == 1 and sleeps.calls == []


def test_a_timeout_after_the_order_was_created_finds_it_instead_of_creating_a_second(
    service: SalesOrderSandbox, transport: httpx.MockTransport, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    service.fail_next("POST", exception=httpx.ReadTimeout("read timed out"), after=True)

    number = make_sink(transport, config, sleeps).submit_order(ORDER)

    assert created(service) == [number] and len(posts(service)) == 1
    lookup = service.requests_to("GET", "/A_SalesOrder")[-1].url.params["$filter"]
    assert lookup == f"PurchaseOrderByCustomer eq '{ORDER['order_no']}' and SalesOrganization eq '1710'"


def test_a_503_before_the_order_was_created_is_retried_after_a_lookup(
    service: SalesOrderSandbox, transport: httpx.MockTransport, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    service.fail_next("POST", status=503)
    with pytest.raises(AmbiguousOutcome):  # a 503 to a POST may or may not have been applied
        make_sink(transport, config, sleeps).submit(ORDER, idempotency_key=ORDER["order_no"])

    service.fail_next("POST", status=503)
    number = make_sink(transport, config, sleeps).submit_order(ORDER)
    assert created(service) == [number] and len(posts(service)) == 3


def test_resubmitting_an_order_returns_the_existing_number(
    service: SalesOrderSandbox, transport: httpx.MockTransport, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sink = make_sink(transport, config, sleeps)
    assert sink.submit_order(ORDER) == sink.submit_order(ORDER)
    assert len(posts(service)) == 1
