"""Every pagination style of the ``rest`` source against the sandbox: all rows, exactly once."""

from __future__ import annotations

import math
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.errors import FatalConnectorError
from connectors.rest.sandbox import Sandbox, sandbox_transport
from connectors.rest.source import RestSource
from tests.connectors.rest.helpers import (
    STYLES,
    config,
    data_requests,
    keys_of,
    new_sandbox,
    only,
    sandbox_keys,
    source,
    stream,
    streams,
)


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize("resource", ["products", "dealers", "stock"])
def test_each_pagination_style_reads_every_row_exactly_once(
    sandbox: Sandbox, style: str, resource: str
) -> None:
    read = only(source(sandbox), config(stream(resource, style, page_size=9)))
    batches = list(read.read_batches())
    keys = keys_of(batches, read)
    assert sorted(keys) == sorted(sandbox_keys(sandbox, resource))
    assert len(keys) == len(set(keys))
    assert len(batches) >= math.ceil(len(keys) / 9)  # really paged, not one big response


def test_a_short_last_page_ends_offset_paging_without_an_empty_request(sandbox: Sandbox) -> None:
    read = only(source(sandbox), config(stream("products", "offset", page_size=10)))
    assert len(keys_of(read.read_batches(), read)) == 48
    # 48 rows: pages of 10 overlapping by one row (advance_since) end at the first short page.
    assert len(data_requests(sandbox)) == 6


def test_without_advance_since_offsets_count_straight_through(sandbox: Sandbox) -> None:
    definition = stream("products", "offset", page_size=10, pagination={"advance_since": False})
    read = only(source(sandbox), config(definition))
    assert len(keys_of(read.read_batches(), read)) == 48
    assert [p["offset"] for p in data_requests(sandbox)] == ["0", "10", "20", "30", "40"]
    assert all("updated_since" not in p for p in data_requests(sandbox))


def test_no_pagination_reads_one_response(sandbox: Sandbox) -> None:
    definition = {**stream("dealers", "offset"), "pagination": {"type": "none"}, "params": {"limit": "500"}}
    read = only(source(sandbox), config(definition))
    assert len(keys_of(read.read_batches(), read)) == 48
    assert data_requests(sandbox) == [{"limit": "500"}]


def test_one_unpaginated_response_may_list_its_rows_in_any_order() -> None:
    sandbox = new_sandbox(order="key")
    definition = {**stream("stock", "offset"), "pagination": {"type": "none"}, "params": {"limit": "500"}}
    read = only(source(sandbox), config(definition))
    [batch] = list(read.read_batches())
    assert len(batch.frame) == len(sandbox.rows("stock"))


def test_partitions_read_each_warehouse_with_its_own_cursor(sandbox: Sandbox) -> None:
    warehouses = ["WH-SH", "WH-GZ", "WH-CD"]
    definition = stream("stock", "cursor", page_size=25, partition={"param": "whCode", "values": warehouses})
    read = only(source(sandbox), config(definition))
    batches = list(read.read_batches())
    assert sorted(keys_of(batches, read)) == sorted(sandbox_keys(sandbox, "stock"))
    assert {b.partition for b in batches} == set(warehouses)
    assert all(set(b.frame["whCode"]) == {b.partition} for b in batches)
    assert set(batches[-1].state["partitions"]) == set(warehouses)
    assert all(p["whCode"] in warehouses for p in data_requests(sandbox))


def test_the_default_streams_read_the_sandbox_with_a_base_url_and_a_token(sandbox: Sandbox) -> None:
    found = streams(source(sandbox), config())
    assert list(found) == ["products", "dealers", "stock"]
    for name, read in found.items():
        assert sorted(keys_of(read.read_batches(), read)) == sorted(sandbox_keys(sandbox, name))


def _app(handler: Any) -> Starlette:
    return Starlette(routes=[Route("/api/items", handler)])


def _source_for(app: Starlette) -> RestSource:
    return RestSource(transport=sandbox_transport(app))


def _items_config(pagination: dict[str, Any], **extra: Any) -> dict[str, Any]:
    # The base URL has a path: stream paths are relative to it.
    definition = {"name": "items", "path": "/items", "primary_key": ["id"], "pagination": pagination, **extra}
    return {**config(definition), "base_url": "http://api.example.test/api"}


def test_a_next_link_to_another_host_is_refused() -> None:
    async def handler(request: Request) -> JSONResponse:
        link = '<https://elsewhere.example/steal?page=2>; rel="next"'
        return JSONResponse([{"id": 1}], headers={"Link": link})

    read = only(_source_for(_app(handler)), _items_config({"type": "link"}))
    with pytest.raises(FatalConnectorError, match="another origin"):
        list(read.read_batches())


def test_an_api_that_ignores_the_offset_fails_instead_of_looping() -> None:
    async def handler(request: Request) -> JSONResponse:
        return JSONResponse({"rows": [{"id": i} for i in range(5)]})

    read = only(
        _source_for(_app(handler)),
        _items_config({"type": "offset", "page_size": 5}, records_path="rows"),
    )
    with pytest.raises(FatalConnectorError, match="same rows"):
        list(read.read_batches())


def test_a_repeated_next_cursor_fails_instead_of_looping() -> None:
    async def handler(request: Request) -> JSONResponse:
        return JSONResponse(
            {"data": {"items": [{"id": request.query_params.get("cursor", "0")}], "next": "c1"}}
        )

    read = only(
        _source_for(_app(handler)),
        _items_config({"type": "cursor", "next_cursor_path": "data.next"}, records_path="data.items"),
    )
    with pytest.raises(FatalConnectorError, match="same next cursor twice"):
        list(read.read_batches())


def test_a_body_without_the_records_path_is_a_clear_error(sandbox: Sandbox) -> None:
    read = only(source(sandbox), config(stream("products", "offset", records_path="data.rows")))
    with pytest.raises(FatalConnectorError, match=r"has no 'data.rows' in its body"):
        list(read.read_batches())


def test_source_offsets_name_the_request_that_returned_the_rows(sandbox: Sandbox) -> None:
    read = only(source(sandbox), config(stream("dealers", "page", page_size=20)))
    offsets = [batch.source_offset for batch in read.read_batches()]
    assert offsets[0] == "/v2/dealers?page=1&size=20"
    assert all(offset.startswith("/v2/dealers?") for offset in offsets)
