"""FLUX return codes, paging and retries, against the sandbox."""

from __future__ import annotations

import pytest

from connectors.errors import AuthenticationError, RateLimited, RemoteRejected, RetriableConnectorError
from connectors.vendor_kit import VendorError
from connectors.wms_flux.errors import RETURN_CODES, FluxDataError, FluxOwnerError, FluxRejected
from connectors.wms_flux.sandbox import FluxSandbox
from connectors.wms_flux.source import FluxSource
from tests.connectors.conftest import SleepRecorder
from tests.connectors.wms_flux.conftest import SHIPPED_FROM, flux_config


@pytest.mark.parametrize("code", sorted(RETURN_CODES))
def test_each_return_code_raises_the_error_its_table_row_names(
    source: FluxSource, sandbox: FluxSandbox, code: str
) -> None:
    sandbox.vendor_error_next(code)
    client = source.client(source.parse_config(flux_config()))
    with pytest.raises(VendorError) as caught:
        client.query_inventory("WH01", 1)
    assert type(caught.value) is RETURN_CODES[code].error
    assert caught.value.code == code
    assert RETURN_CODES[code].meaning in str(caught.value) and "\n" not in str(caught.value)


def test_the_table_sorts_codes_into_auth_retriable_and_rejected() -> None:
    kinds = {code: entry.error for code, entry in RETURN_CODES.items()}
    assert issubclass(kinds["S001"], AuthenticationError) and issubclass(kinds["S004"], AuthenticationError)
    assert issubclass(kinds["S002"], RetriableConnectorError)
    assert all(issubclass(kinds[c], RemoteRejected) for c in ("0001", "S003", "S006", "S007"))


def test_an_unknown_code_is_a_generic_rejection_that_keeps_the_code(
    source: FluxSource, sandbox: FluxSandbox
) -> None:
    sandbox.vendor_error_next("X999")
    with pytest.raises(FluxRejected) as caught:
        source.client(source.parse_config(flux_config())).query_inventory("WH01", 1)
    assert caught.value.code == "X999"


def test_a_wrong_owner_is_refused_with_s004(source: FluxSource) -> None:
    with pytest.raises(FluxOwnerError):
        source.check_config(source.parse_config(flux_config(customer_id="SOMEONE-ELSE")))


def test_a_partial_failure_names_the_failed_record(source: FluxSource, sandbox: FluxSandbox) -> None:
    client = source.client(source.parse_config(flux_config()))
    good = {
        "OrderNo": "A1",
        "CustomerID": "OWNER01",
        "WarehouseID": "WH01",
        "detailsItem": [{"SKU": "SKU001", "QtyOrdered": "1"}],
    }
    bad = {
        "OrderNo": "A2",
        "CustomerID": "OWNER01",
        "WarehouseID": "WH01",
        "detailsItem": [{"SKU": "SKU001"}],
    }
    with pytest.raises(FluxDataError) as caught:
        client.call("putSOData", {"header": [good, bad]}, write=True)
    assert caught.value.code == "S003" and "QtyOrdered" in str(caught.value)
    assert set(sandbox.orders) == {"A1"}


def test_inventory_is_read_page_by_page_until_the_reported_total(
    source: FluxSource, sandbox: FluxSandbox
) -> None:
    [inventory, *_] = source.hub_streams(source.parse_config(flux_config()))
    batches = list(inventory.read_batches(None))
    assert [b.source_offset for b in batches if b.partition == "WH01"] == [
        f"queryINVData:WH01:page={n}" for n in range(1, 6)
    ]
    assert sum(len(b.frame) for b in batches) == 2 * 12 * 2
    assert sandbox.calls.count("queryINVData") == 10


def test_a_server_capping_page_size_below_ours_still_yields_every_row(sleeps: SleepRecorder) -> None:
    sandbox = FluxSandbox.demo(skus=12, shipped_from=SHIPPED_FROM)
    sandbox.max_page_size = 7
    source = FluxSource(transport=sandbox.transport, sleep=sleeps)
    [inventory, *_] = source.hub_streams(source.parse_config(flux_config(page_size=50)))
    rows = [r for b in inventory.read_batches(None) for r in b.frame.to_dict("records")]
    assert len(rows) == 48 and len({(r["WarehouseID"], r["SKU"], r["Lotatt04"]) for r in rows}) == 48


def test_inventory_report_reads_the_same_stock_through_its_own_method(
    source: FluxSource, sandbox: FluxSandbox
) -> None:
    [inventory, *_] = source.hub_streams(source.parse_config(flux_config(inventory_method="inventoryReport")))
    assert sum(len(b.frame) for b in inventory.read_batches(None)) == 48
    assert set(sandbox.calls) == {"inventoryReport"}


def test_throttling_is_retried_after_the_wait_the_server_asks_for(
    source: FluxSource, sandbox: FluxSandbox, sleeps: SleepRecorder
) -> None:
    sandbox.fail_next(429, retry_after=7)
    sandbox.fail_next(503)
    page = source.client(source.parse_config(flux_config())).query_inventory("WH01", 1)
    assert len(page.rows) == 5
    assert sleeps.calls[0] == 7.0 and len(sleeps.calls) == 2


def test_read_timeouts_of_queries_are_retried(source: FluxSource, sandbox: FluxSandbox) -> None:
    sandbox.time_out_next(times=2)
    assert len(source.client(source.parse_config(flux_config())).query_inventory("WH01", 1).rows) == 5


def test_throttling_that_outlasts_the_retries_is_reported_as_rate_limited(
    source: FluxSource, sandbox: FluxSandbox
) -> None:
    sandbox.fail_next(429, times=3, retry_after=1)
    with pytest.raises(RateLimited):
        source.client(source.parse_config(flux_config(max_retries=2))).query_inventory("WH01", 1)
