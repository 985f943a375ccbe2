"""Outbound orders to FLUX: exactly once by our order reference."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from canonical_model.errors import ValidationError
from connectors.errors import AmbiguousOutcome
from connectors.sink import Sink, submit_exactly_once
from connectors.wms_flux.sandbox import FluxSandbox
from connectors.wms_flux.sink import FluxOrderSink, order_header
from tests.connectors.conftest import SleepRecorder
from tests.connectors.wms_flux.conftest import flux_config

ORDER: dict[str, Any] = {
    "warehouse_code": "WH02",
    "ordered_at": datetime(2024, 5, 2, 1, 30, tzinfo=UTC),
    "carrier_code": "SF",
    "consignee": {"code": "D1001", "name": "华东一级经销商", "phone": "13800000001", "city": "杭州市"},
    "lines": [
        {"sku": "SKU001", "qty": Decimal("12.000")},
        {"line_no": 20, "sku": "SKU002", "qty": 3, "lot": "B2405"},
    ],
}


@pytest.fixture
def sink(sandbox: FluxSandbox, sleeps: SleepRecorder) -> FluxOrderSink:
    return FluxOrderSink(flux_config(), transport=sandbox.transport, sleep=sleeps)


def test_the_sink_satisfies_the_sink_protocol(sink: FluxOrderSink) -> None:
    assert isinstance(sink, Sink)


def test_an_order_becomes_one_putsodata_header_keyed_by_our_reference(
    sink: FluxOrderSink, sandbox: FluxSandbox
) -> None:
    reference = sink.submit(ORDER, idempotency_key="DMS-ORD-0001")
    stored = sandbox.orders["DMS-ORD-0001"]
    assert reference == stored["WMSOrderNo"]
    header = stored["header"]
    assert (header["WarehouseID"], header["CustomerID"], header["OrderTime"]) == (
        "WH02",
        "OWNER01",
        "2024-05-02 09:30:00",
    )
    assert (header["ConsigneeID"], header["C_City"], header["CarrierId"]) == ("D1001", "杭州市", "SF")
    assert header["detailsItem"] == [
        {"LineNo": "1", "CustomerID": "OWNER01", "SKU": "SKU001", "QtyOrdered": "12"},
        {"LineNo": "20", "CustomerID": "OWNER01", "SKU": "SKU002", "QtyOrdered": "3", "Lotatt04": "B2405"},
    ]


def test_lookup_finds_a_sent_order_and_nothing_for_an_unknown_one(sink: FluxOrderSink) -> None:
    reference = sink.submit(ORDER, idempotency_key="DMS-ORD-0002")
    assert sink.lookup("DMS-ORD-0002") == reference
    assert sink.lookup("DMS-ORD-9999") is None


def test_submitting_the_same_reference_again_returns_the_first_document(
    sink: FluxOrderSink, sandbox: FluxSandbox
) -> None:
    first = sink.submit(ORDER, idempotency_key="DMS-ORD-0003")
    assert sink.submit(ORDER, idempotency_key="DMS-ORD-0003") == first
    assert len(sandbox.orders) == 1


def test_a_timeout_after_the_wms_stored_the_order_is_ambiguous_not_retried_blindly(
    sink: FluxOrderSink, sandbox: FluxSandbox
) -> None:
    sandbox.time_out_next(after_processing=True)
    with pytest.raises(AmbiguousOutcome):
        sink.submit(ORDER, idempotency_key="DMS-ORD-0004")
    assert sandbox.calls.count("putSOData") == 1


def test_submit_exactly_once_looks_the_order_up_after_a_lost_answer(
    sink: FluxOrderSink, sandbox: FluxSandbox, sleeps: SleepRecorder
) -> None:
    sandbox.time_out_next(after_processing=True)
    reference = submit_exactly_once(sink, ORDER, "DMS-ORD-0005", sleep=sleeps)
    assert reference == sandbox.orders["DMS-ORD-0005"]["WMSOrderNo"]
    assert len(sandbox.orders) == 1 and sandbox.calls.count("putSOData") == 1


def test_a_server_error_on_a_write_is_looked_up_then_sent_again(
    sink: FluxOrderSink, sandbox: FluxSandbox, sleeps: SleepRecorder
) -> None:
    sandbox.fail_next(503)  # refused before the WMS stored anything
    reference = submit_exactly_once(sink, ORDER, "DMS-ORD-0006", sleep=sleeps)
    assert sandbox.calls == ["queryOrderProcess", "queryOrderProcess", "putSOData"]
    assert reference == sandbox.orders["DMS-ORD-0006"]["WMSOrderNo"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"warehouse_code": None}, "warehouse_code is required"),
        ({"lines": []}, "at least one line"),
        ({"lines": [{"sku": "SKU001", "qty": 0}]}, "positive qty"),
        ({"lines": [{"sku": "SKU001", "qty": "abc"}]}, "not a number"),
        ({"ordered_at": datetime(2024, 5, 2)}, "aware datetime"),
    ],
)
def test_an_incomplete_order_is_refused_before_anything_is_sent(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        order_header({**ORDER, **change}, order_no="X", customer_id="OWNER01")
