"""The ``sap-odata`` source against the API_SALES_ORDER_SRV sandbox, and airbyte's suite."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import respx

import connectors.sap_odata
from connectors.sap_odata.sandbox import SalesOrderSandbox
from connectors.sap_odata.source import SapODataSource
from connectors.sap_odata.spec import SANDBOX_PASSWORD, SANDBOX_USER
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite
from tests.connectors.conftest import SleepRecorder
from tests.connectors.sap_odata.conftest import PASSWORD, USER

__all__ = ["TestSapODataSource", "pytest_generate_tests"]  # the hook parametrizes `scenario`

SANDBOX_CONFIG = {"sandbox": True, "username": SANDBOX_USER, "password": SANDBOX_PASSWORD, "page_size": 5}

TestSapODataSource = standard_source_suite(
    SapODataSource,
    connector_root=Path(connectors.sap_odata.__file__).parent,
    scenarios={
        "sandbox": Scenario(SANDBOX_CONFIG, "succeed"),
        "wrong_password": Scenario({**SANDBOX_CONFIG, "password": "nope"}, "failed", ("connection",)),
    },
)


def stream(transport: httpx.BaseTransport | None, config: dict[str, Any], sleeps: Any = None) -> Any:
    source = SapODataSource(transport=transport, sleep=sleeps or (lambda seconds: None))
    [found] = source.hub_streams(source.parse_config(config))
    return found


def paging(service: SalesOrderSandbox) -> list[tuple[str, str]]:
    return [
        (r.url.params["$skip"], r.url.params["$top"]) for r in service.requests_to("GET", "/A_SalesOrder")
    ]


def test_orders_are_read_page_by_page_with_top_and_skip_in_change_order(
    service: SalesOrderSandbox, transport: httpx.MockTransport, config: dict[str, Any]
) -> None:
    batches = list(stream(transport, config).read_batches(None))

    frame = pd.concat([b.frame for b in batches], ignore_index=True)
    assert paging(service) == [("0", "5"), ("5", "5"), ("10", "5")]
    assert list(frame["SalesOrder"]) == [str(4000000 + i) for i in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)]
    first = frame.iloc[0]
    assert first["LastChangeDateTime"] == pd.Timestamp("2026-10-01T01:00:00Z")
    assert (first["CreationDate"], first["TotalNetAmount"]) == (
        datetime(2026, 9, 30, tzinfo=UTC).date(),
        Decimal("100.50"),
    )
    assert batches[-1].state == {
        "LastChangeDateTime": "2026-10-01T12:00:00+00:00",
        "boundary_keys": ["4000011"],
    }


def test_a_server_that_cuts_pages_short_is_followed_by_its_next_link(config: dict[str, Any]) -> None:
    service = SalesOrderSandbox.demo(users={USER: PASSWORD}, max_page_size=3)
    rows = sum(len(b.frame) for b in stream(httpx.MockTransport(service.handle), config).read_batches(None))
    assert rows == 12
    assert paging(service) == [("0", "5"), ("3", "5"), ("6", "5"), ("9", "5")]


def test_an_incremental_read_asks_for_changes_since_the_cursor_and_keeps_rows_sharing_it(
    service: SalesOrderSandbox, transport: httpx.MockTransport, config: dict[str, Any]
) -> None:
    first = next(iter(stream(transport, {**config, "page_size": 4}).read_batches(None)))  # ends inside a tie
    assert first.state == {"LastChangeDateTime": "2026-10-01T04:00:00+00:00", "boundary_keys": ["4000003"]}

    again = list(stream(transport, config).read_batches(first.state))

    last = service.requests_to("GET", "/A_SalesOrder")[-1].url.params["$filter"]
    assert last == "LastChangeDateTime ge datetimeoffset'2026-10-01T04:00:00Z'"
    read = [order for b in again for order in b.frame["SalesOrder"]]
    assert read[0] == "4000004"  # shares 04:00 with 4000003 and is not lost
    assert read == [str(4000000 + i) for i in range(4, 12)]


def test_a_sales_organization_and_start_time_narrow_the_filter(
    service: SalesOrderSandbox, transport: httpx.MockTransport, config: dict[str, Any]
) -> None:
    narrowed = {**config, "sales_organization": "1710", "start_datetime": "2026-10-01T10:00:00+08:00"}
    rows = sum(len(b.frame) for b in stream(transport, narrowed).read_batches(None))
    params = service.requests_to("GET", "/A_SalesOrder")[0].url.params
    assert params["$filter"] == (
        "LastChangeDateTime ge datetimeoffset'2026-10-01T02:00:00Z' and SalesOrganization eq '1710'"
    )
    assert params["$orderby"] == "LastChangeDateTime asc,SalesOrder asc"
    assert rows == 11  # 4000001 (02:00) onwards


def test_wrong_credentials_fail_check_in_one_line_without_the_password(
    transport: httpx.MockTransport, config: dict[str, Any]
) -> None:
    ok, message = SapODataSource(transport=transport).check_connection(
        logging.getLogger("test"), {**config, "password": "s3cret-wrong"}
    )
    assert ok is False and message is not None and "HTTP 401" in message
    assert "s3cret-wrong" not in message and "\n" not in message


def test_a_503_while_reading_is_retried_and_the_page_read_once(
    service: SalesOrderSandbox, transport: httpx.MockTransport, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    service.fail_next("GET", status=503, path_suffix="/A_SalesOrder")
    rows = sum(len(b.frame) for b in stream(transport, config, sleeps).read_batches(None))
    assert rows == 12 and len(sleeps.calls) == 1


def test_the_source_reaches_the_sandbox_through_a_respx_route(
    remote: respx.MockRouter, config: dict[str, Any]
) -> None:
    service = SalesOrderSandbox.demo(users={USER: PASSWORD})
    route = remote.route(host="s4-sandbox.dmshub.invalid").mock(side_effect=service.handle)

    rows = sum(len(b.frame) for b in stream(None, config).read_batches(None))

    assert rows == 12 and route.call_count == 3


def test_whole_orders_come_with_their_items_expanded_and_paged_like_headers(config: dict[str, Any]) -> None:
    service = SalesOrderSandbox.demo(users={USER: PASSWORD}, max_page_size=3)
    for number, order in service.book.orders.items():
        order["to_Item"] = [
            {"SalesOrder": number, "SalesOrderItem": "10", "Material": "SKU-10001", "RequestedQuantity": "2"}
        ]
    source = SapODataSource(transport=httpx.MockTransport(service.handle), sleep=lambda seconds: None)
    documents = source.order_documents(source.parse_config(config))

    batches = list(documents.read_batches(None))

    frame = pd.concat([b.frame for b in batches], ignore_index=True)
    assert len(frame) == 12 and frame["SalesOrder"].is_unique
    assert paging(service) == [("0", "5"), ("3", "5"), ("6", "5"), ("9", "5")]
    params = service.requests_to("GET", "/A_SalesOrder")[0].url.params
    assert params["$expand"] == "to_Item" and params["$select"].endswith(",CreatedByUser,to_Item")
    assert frame.iloc[0]["to_Item"] == [
        {"SalesOrder": "4000000", "SalesOrderItem": "10", "Material": "SKU-10001", "RequestedQuantity": "2"}
    ]
    assert batches[-1].state == {
        "LastChangeDateTime": "2026-10-01T12:00:00+00:00",
        "boundary_keys": ["4000011"],
    }


def test_the_synced_stream_reads_headers_only(
    service: SalesOrderSandbox, transport: httpx.MockTransport, config: dict[str, Any]
) -> None:
    frame = next(iter(stream(transport, config).read_batches(None))).frame
    assert "to_Item" not in frame.columns
    assert "$expand" not in service.requests_to("GET", "/A_SalesOrder")[0].url.params
