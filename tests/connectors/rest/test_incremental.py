"""Incremental reads of the ``rest`` source: the inclusive server filter, boundary rows, order, updates."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest

from connectors.errors import FatalConnectorError
from connectors.rest.sandbox import Sandbox, parse_time
from connectors.rest.streams import RestStream
from tests.connectors.rest.helpers import (
    config,
    data_requests,
    keys_of,
    new_sandbox,
    only,
    sandbox_keys,
    source,
    stream,
)

SORTED_STYLES = ["offset", "page", "cursor", "link"]


def _stock(sandbox: Sandbox, style: str, **overrides: Any) -> RestStream:
    return only(source(sandbox), config(stream("stock", style, page_size=10, **overrides)))


def test_the_server_is_asked_for_rows_at_or_after_the_saved_cursor(sandbox: Sandbox) -> None:
    products = only(source(sandbox), config(stream("products", "offset", page_size=10)))
    state = list(products.read_batches())[-1].state
    sandbox.requests.clear()
    assert list(products.read_batches(state)) == []  # the boundary rows come back and are dropped
    [first] = data_requests(sandbox)
    assert first["updated_since"] == state["lastModified"] == "2026-10-20T22:07:00+00:00"
    assert state["boundary_keys"] == ["SKU-10044", "SKU-10045"]


@pytest.mark.parametrize("style", SORTED_STYLES)
def test_rows_sharing_one_cursor_value_across_page_boundaries_are_read_once_whenever_a_run_stops(
    sandbox: Sandbox, style: str
) -> None:
    # 155 of the stock rows carry the nightly snapshot time: they span many pages of 10.
    stock = _stock(sandbox, style)
    batches = list(stock.read_batches())
    everything = sandbox_keys(sandbox, "stock")
    assert sorted(keys_of(batches, stock)) == sorted(everything)
    for stop in range(0, len(batches), 3):  # a run that committed batches[: stop + 1], then died
        resumed = keys_of(stock.read_batches(batches[stop].state), stock)
        before = keys_of(batches[: stop + 1], stock)
        assert sorted(before + resumed) == sorted(everything), f"stopped after batch {stop}"


def test_out_of_order_pages_commit_the_cursor_only_with_the_last_batch() -> None:
    sandbox = new_sandbox(order="key")  # pages cut by key: lastModified jumps back and forth
    stock = _stock(sandbox, "offset", sorted=False)
    batches = list(stock.read_batches())
    assert sorted(keys_of(batches, stock)) == sorted(sandbox_keys(sandbox, "stock"))
    assert [batch.state for batch in batches[:-1]] == [{}] * (len(batches) - 1)
    newest = max(parse_time(row["lastModified"]) for row in sandbox.rows("stock"))
    assert batches[-1].state["lastModified"] == newest.astimezone(UTC).isoformat()
    assert all("updated_since" not in params for params in data_requests(sandbox))


def test_a_stream_declared_sorted_fails_loudly_when_the_server_sends_rows_out_of_order() -> None:
    stock = _stock(new_sandbox(order="key"), "cursor")
    with pytest.raises(FatalConnectorError, match=r"not in lastModified order.*set sorted: false"):
        list(stock.read_batches())


@pytest.mark.parametrize("style", SORTED_STYLES)
def test_a_row_updated_between_two_pages_is_read_in_its_new_version_and_no_row_is_skipped(
    sandbox: Sandbox, style: str
) -> None:
    # SKU-10003 sits on the first page; its update moves it behind every other row.
    sandbox.after_requests(1, lambda s: s.update("products", "SKU-10003", retailPrice="1.00"))
    products = only(source(sandbox), config(stream("products", style, page_size=10)))
    batches = list(products.read_batches())
    rows = [row for batch in batches for row in batch.frame.to_dict("records")]
    assert {row["materialCode"] for row in rows} == {key for (key,) in sandbox_keys(sandbox, "products")}
    updated = [row["retailPrice"] for row in rows if row["materialCode"] == "SKU-10003"]
    assert updated[-1] == "1.00"
    assert len(rows) == 48 + len(updated) - 1  # only the updated row comes twice (old, then new)
    assert list(products.read_batches(batches[-1].state)) == []


def test_without_advance_since_an_update_between_pages_shifts_a_row_out_of_reach(sandbox: Sandbox) -> None:
    # Why advance_since is on by default: plain offsets over rows sorted by lastModified lose the
    # row that the update pushed from page 2 onto page 1, and the cursor has already passed it.
    sandbox.after_requests(1, lambda s: s.update("products", "SKU-10003", retailPrice="1.00"))
    plain = stream("products", "offset", page_size=10, pagination={"advance_since": False})
    products = only(source(sandbox), config(plain))
    batches = list(products.read_batches())
    first_run = {row for (row,) in keys_of(batches, products)}
    later = {row for (row,) in keys_of(products.read_batches(batches[-1].state), products)}
    assert len(first_run | later) == 47  # one product was never read


def test_a_row_updated_after_its_page_was_read_is_picked_up_by_the_next_run() -> None:
    sandbox = new_sandbox(order="key")  # the row keeps its place: this run reads the old version
    sandbox.after_requests(1, lambda s: s.update("dealers", "C10002", custStatus="冻结"))
    dealers = only(source(sandbox), config(stream("dealers", "page", page_size=10, sorted=False)))
    batches = list(dealers.read_batches())
    first = [row for batch in batches for row in batch.frame.to_dict("records")]
    assert len(first) == 48
    assert next(row["custStatus"] for row in first if row["custCode"] == "C10002") == "正常"
    second = [
        row for batch in dealers.read_batches(batches[-1].state) for row in batch.frame.to_dict("records")
    ]
    assert [(row["custCode"], row["custStatus"]) for row in second] == [("C10002", "冻结")]


def test_since_format_and_timezone_shape_the_filter_the_server_gets(sandbox: Sandbox) -> None:
    beijing = stream(
        "products",
        "offset",
        page_size=5,  # groups of six products share one time: every boundary splits a group
        since_format="%Y-%m-%d %H:%M:%S",
        since_timezone="Asia/Shanghai",
    )
    products = only(source(sandbox), config(beijing))
    keys = keys_of(products.read_batches(), products)
    assert sorted(keys) == sorted(sandbox_keys(sandbox, "products"))
    sent = [params["updated_since"] for params in data_requests(sandbox) if "updated_since" in params]
    stamps = {row["lastModified"] for row in sandbox.rows("products")}
    assert sent and all(f"{text.replace(' ', 'T')}+08:00" in stamps for text in sent)  # Beijing wall time
    assert sent == sorted(sent)
