"""Creating Fusion sales orders exactly once, keyed by SourceTransactionSystem + Number."""

from __future__ import annotations

import json
from typing import Any

import pytest

from canonical_model.errors import ConfigError
from connectors.errors import AmbiguousOutcome, RemoteRejected
from connectors.oracle_fusion.client import order_key, split_order_key
from connectors.oracle_fusion.sandbox import FusionSandbox
from connectors.oracle_fusion.sink import FusionOrderSink
from connectors.oracle_fusion.spec import OracleFusionConfig
from connectors.sink import Sink, submit_exactly_once
from tests.connectors.conftest import SleepRecorder

KEY = "SO-240501-0001"
ORDER: dict[str, Any] = {
    "order_no": KEY,
    "dealer_code": "D1002",
    "order_date": "2024-05-01",
    "currency": "CNY",
    "requested_delivery_date": "2024-05-08",
    "status": "approved",  # extra canonical columns are ignored
    "lines": [
        {"line_no": 1, "sku": "FG-1001", "qty": "12", "unit": "EA", "net_price": "35.50"},
        {"line_no": 2, "sku": "FG-1003", "qty": "2.5", "unit": "CS"},
    ],
}


def make_sink(sandbox: FusionSandbox, config: dict[str, Any], sleeps: SleepRecorder) -> FusionOrderSink:
    return FusionOrderSink(
        OracleFusionConfig.model_validate(config), transport=sandbox.transport(), sleep=sleeps
    )


def posts(sandbox: FusionSandbox) -> list[dict[str, Any]]:
    return [json.loads(r.content) for r in sandbox.requests if r.method == "POST"]


def test_the_fusion_sink_is_a_sink(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    assert isinstance(make_sink(fusion, fusion_config, sleeps), Sink)


def test_submit_creates_one_order_under_our_system_and_number(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sink = make_sink(fusion, fusion_config, sleeps)
    number = sink.submit(ORDER, idempotency_key=KEY)
    [created] = fusion.by_source_number(KEY)
    assert number == created["OrderNumber"]
    [body] = posts(fusion)
    assert {
        k: body[k] for k in ("SourceTransactionSystem", "SourceTransactionId", "SourceTransactionNumber")
    } == {
        "SourceTransactionSystem": "DMSHUB",
        "SourceTransactionId": KEY,
        "SourceTransactionNumber": KEY,
    }
    assert (body["BuyingPartyNumber"], body["BusinessUnitName"], body["TransactionalCurrencyCode"]) == (
        "D1002",
        "Vision Operations",
        "CNY",
    )
    assert body["lines"][0] == {
        "SourceTransactionLineId": "1",
        "SourceTransactionLineNumber": "1",
        "ProductNumber": "FG-1001",
        "OrderedQuantity": 12,
        "OrderedUOMCode": "Ea",  # through uom_codes
        "UnitSellingPrice": 35.5,
    }
    assert body["lines"][1]["OrderedQuantity"] == 2.5 and body["lines"][1]["OrderedUOMCode"] == "CS"
    post = next(r for r in fusion.requests if r.method == "POST")
    assert post.headers["Content-Type"] == "application/vnd.oracle.adf.resourceitem+json"


def test_lookup_finds_the_order_by_q_on_source_number_and_system(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sink = make_sink(fusion, fusion_config, sleeps)
    assert sink.lookup(KEY) is None
    number = sink.submit(ORDER, idempotency_key=KEY)
    assert sink.lookup(KEY) == number
    query = fusion.requests[-1].url.params["q"]
    assert query == f"SourceTransactionNumber='{KEY}';SourceTransactionSystem='DMSHUB'"


def test_the_order_key_is_system_colon_id_and_addresses_the_order(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sink = make_sink(fusion, fusion_config, sleeps)
    number = sink.submit(ORDER, idempotency_key=KEY)
    key = sink.order_key(KEY)
    assert key == order_key("DMSHUB", KEY) == f"DMSHUB:{KEY}"
    assert split_order_key("LEG:R13_Sample_Order") == ("LEG", "R13_Sample_Order")
    assert sink.client.get_order(key)["OrderNumber"] == number


def test_a_timeout_after_fusion_committed_yields_one_order_not_two(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    fusion.time_out_after_commit()
    sink = make_sink(fusion, fusion_config, sleeps)
    number = submit_exactly_once(sink, ORDER, KEY, sleep=sleeps)
    [created] = fusion.by_source_number(KEY)
    assert number == created["OrderNumber"]
    assert len(posts(fusion)) == 1


def test_the_timeout_alone_is_reported_as_ambiguous(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    fusion.time_out_after_commit()
    with pytest.raises(AmbiguousOutcome, match="look it up before retrying"):
        make_sink(fusion, fusion_config, sleeps).submit(ORDER, idempotency_key=KEY)


def test_a_503_on_create_is_looked_up_then_resubmitted_once(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    fusion.fail_next(503, method="POST", retry_after="3")
    number = submit_exactly_once(make_sink(fusion, fusion_config, sleeps), ORDER, KEY, sleep=sleeps)
    assert [o["OrderNumber"] for o in fusion.by_source_number(KEY)] == [number]
    assert len(posts(fusion)) == 2  # the refused one and the one that landed


def test_a_throttled_create_waits_for_retry_after_and_lands_once(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    fusion.fail_next(429, method="POST", retry_after="11")
    number = make_sink(fusion, fusion_config, sleeps).submit(ORDER, idempotency_key=KEY)
    assert [o["OrderNumber"] for o in fusion.by_source_number(KEY)] == [number]
    assert sleeps.calls == [11.0]


def test_an_order_fusion_refuses_is_not_retried_and_carries_its_message(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    bad = {**ORDER, "lines": [{"line_no": 1, "sku": "NOT-AN-ITEM", "qty": "1"}]}
    with pytest.raises(RemoteRejected) as caught:
        submit_exactly_once(make_sink(fusion, fusion_config, sleeps), bad, KEY, sleep=sleeps)
    assert caught.value.status_code == 400
    assert caught.value.remote_messages == ("The item NOT-AN-ITEM isn't valid for the business unit.",)
    assert len(posts(fusion)) == 1 and fusion.by_source_number(KEY) == []


def test_a_malformed_document_is_refused_before_anything_is_sent(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    with pytest.raises(RemoteRejected, match=r"invalid order document: lines\.0\.qty"):
        make_sink(fusion, fusion_config, sleeps).submit(
            {**ORDER, "lines": [{"line_no": 1, "sku": "FG-1001", "qty": "-1"}]}, idempotency_key=KEY
        )
    assert fusion.requests == []


def test_lookup_first_returns_the_existing_order_without_posting(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sink = make_sink(fusion, fusion_config, sleeps)
    first = sink.submit(ORDER, idempotency_key=KEY)
    assert submit_exactly_once(sink, ORDER, KEY, lookup_first=True, sleep=sleeps) == first
    assert len(posts(fusion)) == 1


def test_a_key_that_cannot_be_queried_safely_is_refused(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    with pytest.raises(ConfigError, match="idempotency key"):
        make_sink(fusion, fusion_config, sleeps).lookup("SO-1';SourceTransactionSystem='LEG")


def test_creating_orders_needs_a_business_unit(fusion_config: dict[str, Any]) -> None:
    config = {k: v for k, v in fusion_config.items() if k != "business_unit_name"}
    with pytest.raises(ConfigError, match="business_unit_name is required"):
        FusionOrderSink.from_config(config)


def test_submit_order_keys_on_the_order_number_and_never_sends_it_twice(
    fusion: FusionSandbox, fusion_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sink = make_sink(fusion, fusion_config, sleeps)
    first = sink.submit_order(ORDER)
    assert sink.submit_order(ORDER) == first
    assert len(posts(fusion)) == 1 and [o["OrderNumber"] for o in fusion.by_source_number(KEY)] == [first]
