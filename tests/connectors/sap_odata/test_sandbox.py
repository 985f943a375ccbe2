"""The sales-order sandbox: served as an ASGI app (how the demo puts it on loopback), and ``$expand``."""

from __future__ import annotations

import asyncio

import httpx

from connectors.sap_odata.sandbox import SERVICE_PATH, SalesOrderSandbox
from tests.connectors.sap_odata.conftest import PASSWORD, USER


async def create_over_asgi(service: SalesOrderSandbox) -> tuple[int, int, str]:
    transport = httpx.ASGITransport(app=service.asgi)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://127.0.0.1:8765", auth=(USER, PASSWORD)
    ) as client:
        refused = await client.post(f"{SERVICE_PATH}/A_SalesOrder", json={})
        fetched = await client.get(f"{SERVICE_PATH}/", headers={"x-csrf-token": "fetch"})
        created = await client.post(
            f"{SERVICE_PATH}/A_SalesOrder",
            headers={"x-csrf-token": fetched.headers["x-csrf-token"]},
            json={
                "SoldToParty": "21",
                "PurchaseOrderByCustomer": "SO-ASGI",
                "to_Item": [{"Material": "SKU-10001", "RequestedQuantity": "1"}],
            },
        )
        return refused.status_code, created.status_code, created.json()["d"]["SalesOrder"]


def test_the_asgi_app_enforces_csrf_with_its_cookie_and_creates_orders() -> None:
    service = SalesOrderSandbox.demo(users={USER: PASSWORD})
    refused, created, number = asyncio.run(create_over_asgi(service))
    assert (refused, created, number) == (403, 201, "5000000")
    assert service.book.orders[number]["PurchaseOrderByCustomer"] == "SO-ASGI"


def test_expand_inlines_the_items_only_when_asked_and_refuses_unknown_navigation() -> None:
    service = SalesOrderSandbox.demo(users={USER: PASSWORD})
    url = f"{service.root}/A_SalesOrder"
    with httpx.Client(transport=httpx.MockTransport(service.handle), auth=(USER, PASSWORD)) as client:
        expanded = client.get(url, params={"$top": "2", "$expand": "to_Item"}).json()["d"]["results"]
        deferred = client.get(url, params={"$top": "2"}).json()["d"]["results"]
        selected = client.get(url, params={"$top": "2", "$expand": "to_Item", "$select": "SalesOrder"}).json()
        unknown = client.get(url, params={"$expand": "to_Partner"})

    assert [e["to_Item"] for e in expanded] == [{"results": []}, {"results": []}]
    assert "__deferred" in deferred[0]["to_Item"]
    assert "to_Item" not in selected["d"]["results"][0]  # $select must name it too (OData V2)
    assert unknown.status_code == 400 and "to_Partner" in unknown.text
