"""Round trip on both databases: SAP master data into the store, canonical orders into SAP.

The sandbox is seeded from the demo's sample network; customers, material groups,
materials, units and plant stock go through ``run_sync`` with the packaged mappings; then
orders written to the store are pushed through the sink and the SAP document numbers are
recorded in ``external_refs`` (which the flows layer will own later).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import (
    dealers,
    external_refs,
    order_lines,
    orders,
    products,
    stock_levels,
    unit_conversions,
)
from connectors.sap_rfc.sandbox import CommunicationError, SapSandbox
from connectors.sap_rfc.sink import SapRfcSink
from connectors.sap_rfc.source import SapRfcSource
from flows.demo.sample_network import build_sample_network
from flows.sync.engine import SyncRequest, run_sync
from tests.connectors.conftest import SleepRecorder

MASTER_DATA = ["customers", "material_groups", "materials", "material_units", "plant_stock"]
PLANTS = {
    "WH-SH": ("1000", "0001"),
    "WH-GZ": ("1010", "0001"),
    "WH-CD": ("1020", "0001"),
    "WH-WH": ("1030", "0001"),
}


def seeded() -> tuple[SapSandbox, Any]:
    network = build_sample_network()
    sandbox = SapSandbox(users={"HUB_RFC": "rt-pw"})
    sandbox.seed(
        dealers=network.dealers,
        product_lines=network.product_lines,
        products=network.products,
        unit_conversions=network.unit_conversions,
        stock_levels=[s for s in network.stock_levels if s["location_code"] in PLANTS],
        plants=PLANTS,
    )
    return sandbox, network


def place_orders(engine: Engine, network: Any, count: int) -> list[dict[str, Any]]:
    """Approved orders of active level-2 dealers, written to the store, as sink documents."""
    buyers = [d["code"] for d in network.dealers if d["level"] == 2 and d["status"] == "active"][:count]
    skus = [p["sku"] for p in network.products[:3]]
    documents = []
    with engine.begin() as conn:
        for n, dealer in enumerate(buyers, start=1):
            order_no = f"SO20261101-{n:010X}"
            conn.execute(
                sa.insert(orders).values(
                    order_no=order_no,
                    dealer_code=dealer,
                    status="approved",
                    order_date=date(2026, 11, 1),
                    requested_delivery_date=date(2026, 11, 5),
                    currency="CNY",
                )
            )
            lines = [
                {
                    "order_no": order_no,
                    "line_no": i,
                    "sku": sku,
                    "qty": Decimal(i),
                    "unit": "CS",
                    "qty_base": Decimal(6 * i),
                }
                for i, sku in enumerate(skus, start=1)
            ]
            conn.execute(sa.insert(order_lines), lines)
    with engine.connect() as conn:
        for head in conn.execute(sa.select(orders).order_by(orders.c.order_no)).mappings():
            rows = conn.execute(
                sa.select(order_lines)
                .where(order_lines.c.order_no == head["order_no"])
                .order_by(order_lines.c.line_no)
            ).mappings()
            documents.append({**head, "lines": [dict(row) for row in rows]})
    return documents


def test_sap_master_data_syncs_in_and_orders_go_out_once_with_their_numbers_read_back(
    engine: Engine, sleeps: SleepRecorder
) -> None:
    sandbox, network = seeded()
    config = {
        "ashost": "sap.example.invalid",
        "client": "100",
        "user": "HUB_RFC",
        "passwd": "rt-pw",
        "customer_append_fields": ["ZZADCODE"],
        "page_size": 40,
    }

    result = run_sync(
        engine,
        SyncRequest("sap-rfc", config, streams=MASTER_DATA, full_refresh=True),
        source=SapRfcSource(connection_factory=sandbox.connect),
    )

    assert result.status == "succeeded", [(s.stream, s.error) for s in result.streams]
    counts = {s.stream: (s.read, s.loaded, s.rejected) for s in result.streams}
    assert counts["customers"] == (135, 135, 0)
    assert counts["materials"] == (200, 200, 0)
    assert counts["material_units"] == (400, 400, 0)  # each product's base unit and its case
    with engine.connect() as conn:
        tree: dict[str, Any] = dict(
            conn.execute(sa.select(dealers.c.code, dealers.c.parent_code)).tuples().all()
        )
        levels: dict[str, Any] = dict(conn.execute(sa.select(dealers.c.code, dealers.c.level)).tuples().all())
        statuses: dict[str, Any] = dict(
            conn.execute(sa.select(dealers.c.code, dealers.c.status)).tuples().all()
        )
        cases: dict[str, Any] = dict(
            conn.execute(
                sa.select(unit_conversions.c.sku, unit_conversions.c.factor).where(
                    unit_conversions.c.unit == "CS"
                )
            )
            .tuples()
            .all()
        )
        base_units = set(conn.execute(sa.select(products.c.base_unit).distinct()).scalars())
        stock = {(r.location_code, r.sku): r.on_hand for r in conn.execute(sa.select(stock_levels))}
    expected = {d["code"]: d for d in network.dealers}
    assert tree == {code: d["parent_code"] for code, d in expected.items()}
    assert levels == {code: d["level"] for code, d in expected.items()}
    assert statuses == {code: d["status"] for code, d in expected.items()}
    assert cases == {u["sku"]: u["factor"] for u in network.unit_conversions}
    assert base_units == {"EA"}
    shanghai = sum(
        s["on_hand"]
        for s in network.stock_levels
        if s["location_code"] == "WH-SH" and s["sku"] == "SKU-10001"
    )
    assert stock[("1000-0001", "SKU-10001")] == shanghai

    documents = place_orders(engine, network, count=3)
    sink = SapRfcSink(config, connection_factory=sandbox.connect, sleep=sleeps)
    sandbox.fail_next(
        "BAPI_TRANSACTION_COMMIT",
        CommunicationError("lost", code=1, key="RFC_COMMUNICATION_FAILURE"),
        after=True,
    )
    numbers = {doc["order_no"]: sink.submit_order(doc) for doc in documents}
    again = {doc["order_no"]: sink.submit_order(doc) for doc in documents}  # a rerun of the outbox
    with engine.begin() as conn:
        conn.execute(
            sa.insert(external_refs),
            [
                {"entity_type": "order", "entity_key": key, "system": "sap-rfc", "external_id": number}
                for key, number in numbers.items()
            ],
        )

    assert again == numbers and len(set(numbers.values())) == 3
    in_sap = {o["BSTNK"]: o for o in sandbox.sales_orders()}
    assert set(in_sap) == set(numbers)
    with engine.connect() as conn:
        refs: dict[str, Any] = dict(
            conn.execute(
                sa.select(external_refs.c.entity_key, external_refs.c.external_id).where(
                    external_refs.c.system == "sap-rfc"
                )
            )
            .tuples()
            .all()
        )
    assert refs == {key: sink.lookup(key) for key in numbers}
    for document in documents:
        sap = in_sap[document["order_no"]]
        assert sap["VBELN"].lstrip("0") == refs[document["order_no"]]
        assert sap["partners"]["AG"] == document["dealer_code"]
        assert [(i["MATNR"], i["KWMENG"], i["VRKME"]) for i in sap["items"]] == [
            (line["sku"], line["qty"], "KAR") for line in document["lines"]
        ]
