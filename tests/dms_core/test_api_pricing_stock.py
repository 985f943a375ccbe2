"""Quotes and stock availability over the API, on the demo's sample network."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from dms_core.api import create_api_key, create_app
from flows.demo.load import load_sample_network
from flows.demo.sample_network import BRAND_WAREHOUSE_CODES, SampleNetwork, build_sample_network


@pytest.fixture(scope="module")
def network() -> SampleNetwork:
    return build_sample_network()


@pytest.fixture
def client(engine: Engine, network: SampleNetwork) -> Iterator[TestClient]:
    load_sample_network(engine, network)
    boom = APIRouter()

    @boom.get("/boom")
    def explode() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    with TestClient(create_app(engine, extra_routers=[boom]), raise_server_exceptions=False) as test_client:
        yield test_client


def key(engine: Engine, dealer: str | None) -> dict[str, str]:
    with engine.begin() as conn:
        token = create_api_key(conn, role="dealer" if dealer else "brand_channel", dealer_code=dealer)
    return {"Authorization": f"Bearer {token}"}


def a_terminal_and_an_outsider(network: SampleNetwork) -> tuple[dict[str, object], dict[str, object]]:
    terminals = [d for d in network.dealers_at(4) if d["status"] == "active"]
    first = terminals[0]
    outsider = next(d for d in network.dealers_at(2) if d["code"] != first["parent_code"])
    return first, outsider


def test_a_dealer_gets_a_priced_quote_with_its_explanation(
    client: TestClient, engine: Engine, network: SampleNetwork
) -> None:
    terminal, _ = a_terminal_and_an_outsider(network)
    product = next(p for p in network.rows("products") if p["status"] == "active")
    body = {
        "dealer_code": terminal["code"],
        "order_date": "2026-11-01",
        "lines": [{"sku": product["sku"], "qty": 2, "unit": "CS"}],
    }
    response = client.post("/prices/quote", json=body, headers=key(engine, str(terminal["code"])))
    assert response.status_code == 200, response.text
    quote = response.json()
    [line] = [x for x in quote["lines"] if not x["is_free_goods"]]
    assert Decimal(line["qty"]) == 2 * product["case_pack"]
    assert Decimal(quote["total_net"]) == sum(Decimal(x["net_amount"]) for x in quote["lines"])
    assert any(entry["applied"] for entry in line["explanation"])


def test_a_dealer_cannot_quote_for_a_dealer_outside_its_network(
    client: TestClient, engine: Engine, network: SampleNetwork
) -> None:
    terminal, outsider = a_terminal_and_an_outsider(network)
    body = {"dealer_code": outsider["code"], "lines": [{"sku": "SKU-10001", "qty": 1}]}
    response = client.post("/prices/quote", json=body, headers=key(engine, str(terminal["code"])))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dealer_code": "X", "lines": []}, "lines"),
        ({"dealer_code": "X", "lines": [{"sku": "S", "qty": -1}]}, "lines.0.qty"),
        ({"lines": [{"sku": "S", "qty": 1}]}, "dealer_code"),
    ],
)
def test_a_bad_request_is_422_naming_the_field(
    client: TestClient, engine: Engine, body: dict, field: str
) -> None:
    response = client.post("/prices/quote", json=body, headers=key(engine, None))
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "invalid_request" and payload["message"].startswith(field)


def test_an_unknown_unit_is_a_clear_422(client: TestClient, engine: Engine, network: SampleNetwork) -> None:
    terminal, _ = a_terminal_and_an_outsider(network)
    sku = network.rows("products")[0]["sku"]
    body = {"dealer_code": terminal["code"], "lines": [{"sku": sku, "qty": 1, "unit": "PALLET"}]}
    response = client.post("/prices/quote", json=body, headers=key(engine, None))
    assert response.status_code == 422 and response.json() == {
        "code": "unknown_unit",
        "message": f"{sku} has no unit PALLET",
    }


def test_an_unexpected_error_is_a_500_without_internals(client: TestClient) -> None:
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "passwd" not in response.text and "Traceback" not in response.text


def test_availability_sums_brand_warehouses_and_hides_other_networks_warehouses(
    client: TestClient, engine: Engine, network: SampleNetwork
) -> None:
    sku = next(r["sku"] for r in network.rows("stock_levels") if r["on_hand"] > 0)
    brand = client.get("/stock/availability", params={"sku": sku}, headers=key(engine, None)).json()
    expected = sum(
        (
            Decimal(r["on_hand"]) - Decimal(r.get("reserved", 0))
            for r in network.rows("stock_levels")
            if r["sku"] == sku
        ),
        Decimal(0),
    )
    assert Decimal(brand["total_available"]) == expected
    terminal, _ = a_terminal_and_an_outsider(network)
    seen = client.get(
        "/stock/availability", params={"sku": sku}, headers=key(engine, str(terminal["code"]))
    ).json()
    assert {x["location_code"] for x in seen["locations"]} <= set(BRAND_WAREHOUSE_CODES)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM api_keys")).scalar() == 2
