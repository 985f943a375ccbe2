"""Files from an http(s) folder listing or a single file URL, through the hub's HTTP client (respx)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx

from connectors.errors import FatalConnectorError
from connectors.file_drop.client import HttpFolder
from connectors.file_drop.source import FileDropSource

BASE = "https://wms.example.com/drop/"
TOKEN = "fd-token-7c1e-canary"
MODIFIED = format_datetime(datetime(2026, 11, 1, 6, 0, tzinfo=UTC), usegmt=True)
INDEX = """<html><body><h1>Index of /drop/</h1>
<a href="?C=N;O=D">Name</a> <a href="../">Parent</a> <a href="archive/">archive/</a>
<a href="inv_WH-SH_20261101.csv">inv_WH-SH_20261101.csv</a>
<a href="/drop/products_20261101.csv">products_20261101.csv</a>
<a href="https://elsewhere.example.com/drop/inv_x.csv">mirror</a>
<a href="inv_WH-GZ_20261101.csv.part">inv_WH-GZ_20261101.csv.part</a>
</body></html>"""
STOCK = (
    "warehouse_code,sku,lot,on_hand,in_transit,expiry_date,updated_at\n"
    "WH-SH,SKU-10001,L1,5,0,2027-01-01,2026-11-01T06:00:00+08:00\n"
    "WH-SH,SKU-10002,,7,0,,2026-11-01T06:00:00+08:00\n"
)


def serve(remote: respx.MockRouter, path: str, body: str) -> tuple[respx.Route, respx.Route]:
    """(HEAD route, GET route) of one file of the folder."""
    url = BASE + path
    head = remote.head(url).mock(
        return_value=httpx.Response(
            200, headers={"Last-Modified": MODIFIED, "Content-Length": str(len(body.encode()))}
        )
    )
    return head, remote.get(url).mock(return_value=httpx.Response(200, text=body))


def source(sleeps: Any) -> FileDropSource:
    return FileDropSource(sleep=sleeps)


def config(url: str = BASE, **extra: Any) -> dict[str, Any]:
    return {"url": url, "token": TOKEN, "settle_seconds": 0, **extra}


def test_a_folder_listing_is_read_file_by_file_with_the_token(remote: respx.MockRouter, sleeps: Any) -> None:
    remote.get(BASE).mock(return_value=httpx.Response(200, text=INDEX))
    _, stock = serve(remote, "inv_WH-SH_20261101.csv", STOCK)
    products_head, _ = serve(remote, "products_20261101.csv", "sku,name\nSKU-10001,奶粉\n")
    serve(remote, "inv_WH-GZ_20261101.csv.part", "")
    files = HttpFolder(BASE, token=TOKEN, sleep=sleeps).list_files()
    assert sorted(f.name for f in files) == [
        "inv_WH-GZ_20261101.csv.part",
        "inv_WH-SH_20261101.csv",
        "products_20261101.csv",
    ]
    src = source(sleeps)
    streams = {s.name: s for s in src.hub_streams(src.parse_config(config()))}
    products_head.reset()
    [batch] = list(streams["stock"].read_batches(None))
    assert products_head.calls.call_count == 0  # only the stream's own files are looked at
    assert batch.source_offset == "inv_WH-SH_20261101.csv:lines=2-3"
    assert batch.frame["sku"].tolist() == ["SKU-10001", "SKU-10002"]
    assert stock.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_single_file_url_is_its_own_listing(remote: respx.MockRouter, sleeps: Any) -> None:
    serve(remote, "inv_WH-SH_20261101.csv", STOCK)
    src = source(sleeps)
    streams = {s.name: s for s in src.hub_streams(src.parse_config(config(BASE + "inv_WH-SH_20261101.csv")))}
    assert [len(b.frame) for b in streams["stock"].read_batches(None)] == [2]
    assert list(streams["products"].read_batches(None)) == []  # its name is no product file


def test_a_server_error_is_retried_by_the_hub_client(remote: respx.MockRouter, sleeps: Any) -> None:
    url = BASE + "inv_WH-SH_20261101.csv"
    remote.head(url).mock(
        side_effect=[httpx.Response(503), httpx.Response(200, headers={"Last-Modified": MODIFIED})]
    )
    remote.get(url).mock(return_value=httpx.Response(200, text=STOCK))
    src = source(sleeps)
    [stock, *_] = src.hub_streams(src.parse_config(config(url)))
    assert [len(b.frame) for b in stock.read_batches(None)] == [2]
    assert len(sleeps.calls) == 1


def test_a_server_without_last_modified_is_refused_since_new_files_cannot_be_told(
    remote: respx.MockRouter, sleeps: Any
) -> None:
    url = BASE + "inv_WH-SH_20261101.csv"
    remote.head(url).mock(return_value=httpx.Response(200))
    with pytest.raises(FatalConnectorError, match="has no Last-Modified header"):
        HttpFolder(url).list_files()


def test_a_refused_token_fails_check_without_showing_the_token(remote: respx.MockRouter, sleeps: Any) -> None:
    remote.get(BASE).mock(return_value=httpx.Response(401, json={"message": f"token {TOKEN} expired"}))
    ok, message = source(sleeps).check_connection(None, config())
    assert not ok and message is not None
    assert "401" in message and TOKEN not in message


def test_a_missing_listing_fails_check_with_the_url(remote: respx.MockRouter, sleeps: Any) -> None:
    remote.get(BASE).mock(return_value=httpx.Response(404))
    ok, message = source(sleeps).check_connection(None, config())
    assert not ok and message is not None and "404" in message and "wms.example.com/drop/" in message
