"""Reading Fusion sales orders: paging with hasMore, incremental by LastUpdateDate, throttling."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pandas as pd
import pytest
import respx

from connectors.errors import AuthenticationError, RateLimited, RemoteRejected
from connectors.oracle_fusion.client import FusionClient, q_text
from connectors.oracle_fusion.sandbox import SANDBOX_URL, FusionSandbox
from connectors.oracle_fusion.source import OracleFusionSource
from connectors.oracle_fusion.spec import OracleFusionConfig
from connectors.oracle_fusion.streams import SalesOrderLinesStream
from tests.connectors.conftest import SleepRecorder

RESOURCE_URL = f"{SANDBOX_URL}/fscmRestApi/resources/11.13.18.05/salesOrdersForOrderHub"


def streams(
    sandbox: FusionSandbox, config: dict[str, Any], sleeps: SleepRecorder | None = None
) -> dict[str, Any]:
    source = OracleFusionSource(transport=sandbox.transport(), sleep=sleeps or SleepRecorder())
    return {s.name: s for s in source.hub_streams(source.parse_config(config))}


def read_all(stream: Any, state: dict[str, Any] | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    batches = list(stream.read_batches(state))
    frame = pd.concat([b.frame for b in batches]) if batches else pd.DataFrame()
    return frame, (batches[-1].state if batches else state or {})


def list_requests(sandbox: FusionSandbox) -> list[httpx.Request]:
    return [
        r for r in sandbox.requests if r.method == "GET" and r.url.path.endswith("salesOrdersForOrderHub")
    ]


def test_pages_until_has_more_is_false_and_reads_every_order_once(
    fusion: FusionSandbox, fusion_config: dict[str, Any]
) -> None:
    frame, _ = read_all(streams(fusion, fusion_config)["sales_orders"])
    assert sorted(frame["HeaderId"]) == sorted(o["HeaderId"] for o in fusion.orders)
    assert frame["HeaderId"].is_unique
    requests = list_requests(fusion)
    assert len(requests) == 5  # 24 orders, 5 per page
    first = requests[0].url.params
    assert (first["limit"], first["offset"], first["onlyData"]) == ("5", "0", "true")
    assert first["orderBy"] == "LastUpdateDate:asc,HeaderId:asc"
    assert all(r.url.params["limit"] == "5" for r in requests)


def test_each_page_restarts_the_filter_at_the_last_update_date_read(
    fusion: FusionSandbox, fusion_config: dict[str, Any]
) -> None:
    read_all(streams(fusion, fusion_config)["sales_orders"])
    second = list_requests(fusion)[1].url.params
    # Page 1 ended with the first of the two orders stamped 00:00:03: offset 1 skips only it.
    assert second["q"] == "LastUpdateDate>='2024-05-01T00:00:03.000+00:00'"
    assert second["offset"] == "1"


def test_an_order_updated_while_paging_is_read_again_and_none_is_skipped(
    fusion: FusionSandbox, fusion_config: dict[str, Any]
) -> None:
    pages = streams(fusion, fusion_config)["sales_orders"].fetch(since=None, partition=None)
    first = next(pages).frame
    fusion.touch(f"LEG:{first['SourceTransactionId'].iloc[0]}", StatusCode="CLOSED")
    rest = pd.concat([page.frame for page in pages])
    seen = pd.concat([first, rest])
    assert set(seen["HeaderId"]) == {o["HeaderId"] for o in fusion.orders}
    assert first["HeaderId"].iloc[0] in set(rest["HeaderId"])  # read again, with its new status


def test_an_incremental_read_returns_only_orders_updated_since_the_saved_state(
    fusion: FusionSandbox, fusion_config: dict[str, Any]
) -> None:
    stream = streams(fusion, fusion_config)["sales_orders"]
    _, state = read_all(stream)
    assert state["LastUpdateDate"] == "2024-05-01T00:00:12+00:00"
    fusion.touch("LEG:R13_Sample_Order_005", StatusCode="CLOSED")
    added = fusion.add_order(system="LEG", source_id="R13_NEW", party="D1001", lines=[])
    frame, _ = read_all(stream, state)
    assert set(frame["SourceTransactionId"]) == {"R13_Sample_Order_005", "R13_NEW"}
    assert frame.loc[frame["HeaderId"] == added["HeaderId"], "OrderKey"].item() == "LEG:R13_NEW"
    assert list_requests(fusion)[-1].url.params["q"].startswith("LastUpdateDate>='2024-05-01T00:00:12.000")


def test_start_date_bounds_the_first_read(fusion: FusionSandbox, fusion_config: dict[str, Any]) -> None:
    config = {**fusion_config, "start_date": "2024-05-01T08:00:11+08:00"}
    frame, _ = read_all(streams(fusion, config)["sales_orders"])
    assert len(frame) == 4  # the two pairs stamped 00:00:11 and 00:00:12 UTC


def test_lines_carry_their_order_keys_and_exact_quantities(
    fusion: FusionSandbox, fusion_config: dict[str, Any]
) -> None:
    frame, _ = read_all(streams(fusion, fusion_config)["sales_order_lines"])
    assert len(frame) == sum(len(o["lines"]) for o in fusion.orders)
    assert all(r.url.params["expand"] == "lines" for r in list_requests(fusion))
    row = frame.iloc[0]
    assert row["OrderKey"] == "LEG:R13_Sample_Order_001"
    assert (row["ProductNumber"], row["OrderedQuantity"], row["OrderedUOMCode"]) == ("FG-1002", "6", "Ea")
    assert row["UnitSellingPrice"] == "35.5"


def test_lines_expanded_as_a_bare_list_are_read_too(
    remote: respx.MockRouter, fusion_config: dict[str, Any]
) -> None:
    order = {
        "HeaderId": 1,
        "SourceTransactionSystem": "LEG",
        "SourceTransactionId": "A1",
        "LastUpdateDate": "2024-05-01T00:00:00+00:00",
        "lines": [{"LineId": 7, "ProductNumber": "FG-1001", "OrderedQuantity": 2.5}],
    }
    remote.get(RESOURCE_URL).respond(200, json={"items": [order], "count": 1, "hasMore": False})
    client = FusionClient(OracleFusionConfig.model_validate(fusion_config))  # respx answers
    frame, _ = read_all(SalesOrderLinesStream(client, start_date=None))
    assert (frame["LineId"].item(), frame["OrderedQuantity"].item(), frame["OrderKey"].item()) == (
        7,
        "2.5",
        "LEG:A1",
    )


@pytest.mark.parametrize("status", [429, 503])
def test_a_throttled_read_waits_as_long_as_retry_after_asks_then_succeeds(
    status: int, fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    fusion.fail_next(status, times=2, retry_after="7")
    frame, _ = read_all(streams(fusion, fusion_config, sleeps)["sales_orders"])
    assert len(frame) == 24
    assert sleeps.calls == [7.0, 7.0]


def test_a_read_still_throttled_after_every_retry_fails_as_retriable(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    fusion.fail_next(429, times=99, retry_after="1")
    with pytest.raises(RateLimited) as caught:
        read_all(streams(fusion, {**fusion_config, "max_retries": 2}, sleeps)["sales_orders"])
    assert caught.value.retry_after == 1.0
    assert len(sleeps.calls) == 2


def test_wrong_credentials_fail_check_with_one_clean_line(
    fusion: FusionSandbox, fusion_config: dict[str, Any]
) -> None:
    source = OracleFusionSource(transport=fusion.transport())
    bad = {
        **fusion_config,
        "auth": {"type": "basic", "username": "DMSHUB.INTEGRATION", "password": "hunter2-x"},
    }
    assert source.check_connection(logging.getLogger("test"), fusion_config) == (True, None)
    ok, message = source.check_connection(logging.getLogger("test"), bad)
    assert not ok and message and "HTTP 401" in message
    assert "hunter2-x" not in message and "\n" not in message
    with pytest.raises(AuthenticationError):
        FusionClient(OracleFusionConfig.model_validate(bad), transport=fusion.transport()).ping()


def test_a_bearer_token_is_accepted(fusion_config: dict[str, Any]) -> None:
    sandbox = FusionSandbox.seeded(orders=3, tokens=["tok-123456"])
    config = {**fusion_config, "auth": {"type": "bearer", "access_token": "tok-123456"}}
    frame, _ = read_all(streams(sandbox, config)["sales_orders"])
    assert len(frame) == 3
    assert sandbox.requests[0].headers["Authorization"] == "Bearer tok-123456"


def test_a_bad_filter_is_refused_by_the_remote_not_retried(
    fusion: FusionSandbox, fusion_config: dict[str, Any]
) -> None:
    client = FusionClient(OracleFusionConfig.model_validate(fusion_config), transport=fusion.transport())
    with pytest.raises(RemoteRejected, match="HTTP 400: The attribute Nope in the query parameter q"):
        client.reads.get("salesOrdersForOrderHub", params={"q": "Nope='x'"})
    assert len(fusion.requests) == 1


@pytest.mark.parametrize("value", ["x';Status='CLOSED", "a b", "", "x" * 81])
def test_values_that_would_change_a_q_filter_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="cannot be used in a Fusion q filter"):
        q_text(value)


def test_whole_orders_carry_their_lines_in_one_read_for_the_erp_orders_flow(
    fusion: FusionSandbox, fusion_config: dict[str, Any]
) -> None:
    source = OracleFusionSource(transport=fusion.transport(), sleep=SleepRecorder())
    documents = source.order_documents(source.parse_config(fusion_config))

    frame, state = read_all(documents)

    assert len(frame) == 24 and frame["HeaderId"].is_unique
    assert all(r.url.params["expand"] == "lines" for r in list_requests(fusion))
    first = frame.iloc[0]
    assert first["OrderKey"] == "LEG:R13_Sample_Order_001"
    assert [(line["ProductNumber"], line["OrderedQuantity"]) for line in first["lines"]] == [
        ("FG-1002", 6),
        ("FG-1003", 12),
    ]
    assert state["LastUpdateDate"] == frame["LastUpdateDate"].max().isoformat()
    assert "lines" not in read_all(streams(fusion, fusion_config)["sales_orders"])[0].columns
