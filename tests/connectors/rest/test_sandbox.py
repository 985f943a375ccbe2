"""The sandbox itself: its data, pages, filter, credentials, faults, and serving on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from canonical_model.identifiers import normalize_gtin, normalize_uscc
from canonical_model.regions import validate_region_code
from connectors.rest.sandbox import (
    NOTICE,
    Sandbox,
    demo_rows,
    rows_from_canonical,
    sandbox_transport,
    serve_sandbox,
)
from connectors.rest.source import RestSource
from tests.connectors.rest.helpers import TOKEN, config, keys_of, only, sandbox_keys, stream


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url="http://erp.sandbox.test",
        transport=sandbox_transport(sandbox),
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as client:
        yield client


def test_the_demo_dataset_is_deterministic_and_valid_master_data() -> None:
    rows = demo_rows()
    assert rows == demo_rows() and rows != demo_rows(7)
    assert all(normalize_gtin(p["barcode"]) for p in rows["products"])
    assert all(normalize_uscc(d["taxNo"]) == d["taxNo"] for d in rows["dealers"])
    for dealer in rows["dealers"]:
        validate_region_code(dealer["regionCode"])
    codes = {d["custCode"] for d in rows["dealers"]}
    assert all(d["parentCustCode"] in codes for d in rows["dealers"] if d["parentCustCode"])
    assert {d["custLevel"] for d in rows["dealers"]} == {"总代", "一批", "二批", "终端"}
    skus = {p["materialCode"] for p in rows["products"]}
    assert {s["materialCode"] for s in rows["stock"]} <= skus
    assert all(p["lastModified"].endswith("+08:00") for p in rows["products"])


def test_the_sandbox_says_what_it_is(http: httpx.Client) -> None:
    body = http.get("/").json()
    assert body["sandbox"] is True and body["notice"] == NOTICE and "not any vendor" in NOTICE
    assert http.get("/health").headers["X-Sandbox"] == "dmshub-demo-erp"


def test_v4_pages_carry_an_rfc_5988_link_to_the_next_page(http: httpx.Client) -> None:
    first = http.get("/v4/dealers", params={"limit": 30})
    assert first.links["next"]["url"].startswith("http://erp.sandbox.test/v4/dealers?limit=30&after=")
    assert first.json()["links"]["next"] == first.links["next"]["url"]
    last = http.get(first.links["next"]["url"])
    assert "next" not in last.links and last.json()["links"]["next"] is None
    assert len(first.json()["items"]) + len(last.json()["items"]) == 48


def test_v2_pages_look_like_mybatis_plus(http: httpx.Client) -> None:
    data = http.get("/v2/products", params={"page": 3, "size": 20}).json()["data"]
    assert (data["total"], data["size"], data["current"], data["pages"], len(data["records"])) == (
        48,
        20,
        3,
        3,
        8,
    )


def test_updated_since_is_inclusive_and_a_time_without_offset_is_beijing_time(
    http: httpx.Client, sandbox: Sandbox
) -> None:
    stamps = sorted({row["lastModified"] for row in sandbox.rows("products")})
    boundary = stamps[3]
    expected = sum(1 for row in sandbox.rows("products") if row["lastModified"] >= boundary)
    local = boundary.replace("T", " ").removesuffix("+08:00")
    for since in (boundary, local):
        body = http.get("/v1/products", params={"updated_since": since, "limit": 100}).json()
        assert body["data"]["total"] == expected
        assert min(item["lastModified"] for item in body["data"]["items"]) == boundary


def test_requests_without_the_token_get_a_401_in_the_apis_own_error_format(sandbox: Sandbox) -> None:
    with httpx.Client(transport=sandbox_transport(sandbox)) as anonymous:
        response = anonymous.get("http://erp.sandbox.test/v1/products")
    assert response.status_code == 401 and response.json()["code"] == 401


def test_a_page_size_over_the_maximum_is_refused_rather_than_silently_cut(http: httpx.Client) -> None:
    response = http.get("/v1/stock", params={"limit": 501})
    assert response.status_code == 400 and "at most 500" in response.json()["msg"]


def test_injected_faults_answer_like_a_real_server_would(http: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.fail_next(1, status=429, retry_after=5)
    throttled = http.get("/v1/products")
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "5")
    sandbox.reset_next(1)
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/v1/products")
    sandbox.hang_next(1)
    with pytest.raises(httpx.ReadTimeout):
        http.get("/v1/products", timeout=0.02)
    sandbox.fail_next(1, status=503, path="/v2/")
    assert http.get("/v1/products").status_code == 200  # the fault waits for its path
    assert http.get("/v2/products").status_code == 503
    assert [entry.fault for entry in sandbox.requests] == ["status", "reset", "delay", None, "status"]


def test_an_update_moves_the_row_to_the_sandbox_clock(sandbox: Sandbox) -> None:
    rows = demo_rows()
    newest = max(row["lastModified"] for name in ("products", "dealers", "stock") for row in rows[name])
    first = sandbox.rows("stock")[0]
    updated = sandbox.update("stock", (first["whCode"], first["materialCode"], first["batchNo"]), qtyOnHand=3)
    assert updated["qtyOnHand"] == 3 and updated["lastModified"] > newest
    assert sandbox.update("products", "SKU-10001")["lastModified"] > updated["lastModified"]
    with pytest.raises(KeyError):
        sandbox.update("products", "SKU-404")


def test_the_connector_reads_the_sandbox_served_on_loopback(sandbox: Sandbox) -> None:
    url, stop = serve_sandbox(sandbox)
    try:
        sandbox.fail_next(1, status=429, retry_after=0)
        sandbox.reset_next(1)  # a real dropped connection this time
        cfg = {**config(stream("products", "link", page_size=20)), "base_url": url}
        products = only(RestSource(sleep=lambda _seconds: None), cfg)
        assert sorted(keys_of(products.read_batches(), products)) == sorted(sandbox_keys(sandbox, "products"))
        assert url.startswith("http://127.0.0.1:")
    finally:
        stop()


def test_the_sample_network_can_be_served_and_maps_back_to_itself() -> None:
    from connectors.rest.streams import records_frame
    from flows.demo.sample_network import build_sample_network
    from mappings.engine import compile_mapping
    from mappings.reference import ReferenceData
    from mappings.registry import load_spec_for

    network = build_sample_network()
    rows = rows_from_canonical(
        products=network.products, dealers=network.dealers, stock_levels=network.stock_levels
    )
    reference = ReferenceData.of(
        {
            "product_lines.code": [line["code"] for line in network.product_lines],
            "products.sku": [p["sku"] for p in network.products],
            "dealers.code": [d["code"] for d in network.dealers],
        }
    )
    mapped = {
        name: compile_mapping(load_spec_for("rest", name), reference=reference).apply(
            records_frame(rows[name])
        )
        for name in ("products", "dealers", "stock")
    }
    assert all(batch.rejected == 0 for batch in mapped.values()), {
        n: b.rejects[:2] for n, b in mapped.items()
    }
    product = mapped["products"].valid.set_index("sku").loc[network.products[0]["sku"]]
    original = network.products[0]
    assert (product["gtin"], product["guide_price"], product["case_pack"]) == (
        original["gtin"],
        original["guide_price"],
        original["case_pack"],
    )
    dealers = mapped["dealers"].valid.set_index("code")
    for dealer in network.dealers[1:6]:
        assert dealers.loc[dealer["code"], "parent_code"] == dealer["parent_code"]
        assert dealers.loc[dealer["code"], "credit_limit"] == Decimal(dealer["credit_limit"])
    assert len(mapped["stock"].valid) == len(network.stock_levels)
