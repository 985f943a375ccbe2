"""The demo's ERP half: master data pulled from the SAP sandbox, orders placed, and the
approved ones pushed to SAP through the outbox, their SAP numbers written back.

The SAP system is the connector's sandbox (a stateful fake of pyrfc's Connection with
KNA1/MARA/MARD/VBAK tables and BAPI behaviour), seeded with the sample network — clearly
a sandbox, never an SAP system.
"""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from connectors.rest.sandbox.serve import serve_app
from connectors.sap_rfc.sandbox import SapSandbox
from connectors.sap_rfc.sink import SapRfcSink
from connectors.sap_rfc.source import SapRfcSource
from dms_core.api import create_api_key
from dms_core.ordering import OrderingSettings, OrderRequest
from flows.api import build_app
from flows.demo.sample_network import SampleNetwork
from flows.outbox import DrainResult, drain_outbox
from flows.sync.engine import SyncRequest, run_sync
from flows.sync.result import SyncResult

__all__ = ["pull_sap_master_data", "push_orders_to_sap", "render_orders", "sample_orders", "sap_sandbox"]

SAP_USER, SAP_PASSWORD = "DMSHUB_DEMO", "demo-sandbox-only"
SAP_CONFIG: dict[str, Any] = {
    "ashost": "sap-sandbox.invalid",
    "sysnr": "00",
    "client": "100",
    "user": SAP_USER,
    "passwd": SAP_PASSWORD,
    "lang": "ZH",
    "customer_append_fields": ["ZZADCODE"],
}
PLANTS = {
    "WH-SH": ("1000", "0001"),
    "WH-GZ": ("1010", "0001"),
    "WH-CD": ("1020", "0001"),
    "WH-WH": ("1030", "0001"),
}


def sap_sandbox(network: SampleNetwork) -> SapSandbox:
    """The SAP sandbox holding the network's customers, materials and plant stock."""
    sap = SapSandbox(users={SAP_USER: SAP_PASSWORD})
    sap.seed(
        dealers=network.dealers,
        product_lines=network.product_lines,
        products=network.products,
        unit_conversions=network.unit_conversions,
        stock_levels=[s for s in network.stock_levels if s["location_code"] in PLANTS],
        plants=PLANTS,
    )
    return sap


def pull_sap_master_data(engine: sa.Engine, sap: SapSandbox) -> SyncResult:
    """Customers and materials from SAP into the canonical store (the ERP is their master)."""
    return run_sync(
        engine,
        SyncRequest(
            "sap-rfc", SAP_CONFIG, streams=["customers", "material_groups", "materials"], trigger="demo"
        ),
        source=SapRfcSource(connection_factory=sap.connect),
    )


def sample_orders(network: SampleNetwork) -> list[OrderRequest]:
    """Orders of a few dealers at several levels, including the suspended and frozen ones."""
    authorised: dict[str, list[str]] = {}
    for a in network.rows("authorizations"):
        if a["scope_type"] == "product_line":
            authorised.setdefault(a["dealer_code"], []).append(a["scope_code"])
    by_line: dict[str, list[dict[str, Any]]] = {}
    for p in network.rows("products"):
        if p["status"] == "active":
            by_line.setdefault(p["product_line_code"], []).append(p)
    picked = [d for d in network.dealers if d["level"] in (2, 3) and d["status"] == "active"][:4]
    picked += [d for d in network.dealers if d["level"] == 4 and d["status"] == "active"][:3]
    picked += [d for d in network.dealers if d["status"] != "active"]
    requests = []
    for dealer in picked:
        lines = authorised.get(dealer["code"]) or sorted(by_line)
        products = [p for line in lines[:2] for p in by_line.get(line, [])[:1]]
        requests.append(
            OrderRequest(
                dealer_code=dealer["code"],
                ship_to_region_code=dealer["region_code"],
                lines=[(p["sku"], 2, "CS") for p in products],
                order_date=network.today,
                idempotency_key=f"demo-{dealer['code']}",
                created_by="demo",
            )
        )
    return requests


def place(engine: sa.Engine, requests: list[OrderRequest]) -> list[dict[str, Any]]:
    """POST each order to the hub's API on loopback (a brand key); the JSON answers."""
    with engine.begin() as conn:
        key = create_api_key(conn, role="brand_channel", label="demo")
    url, stop = serve_app(build_app(engine, ordering_settings=OrderingSettings(outbox_target="sap-rfc")))
    answers = []
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            for r in requests:
                body = {
                    "dealer_code": r.dealer_code,
                    "ship_to_region_code": r.ship_to_region_code,
                    "order_date": r.order_date.isoformat(),
                    "lines": [{"sku": line.sku, "qty": str(line.qty), "unit": line.unit} for line in r.lines],
                }
                response = client.post(
                    "/orders", json=body, headers={"Idempotency-Key": str(r.idempotency_key)}
                )
                answers.append({**response.json(), "http_status": response.status_code})
    finally:
        stop()
    return answers


def render_orders(answers: list[dict[str, Any]], console: Console) -> None:
    """Every order with the API's answer and, for the refused ones, every reason."""
    table = Table(
        "dealer", "order", "HTTP", "status", "net (CNY)", "reasons", title="orders placed (POST /orders)"
    )
    for a in answers:
        reasons = "; ".join(
            f"{c['reason_code']}: {c['message']}" for c in a.get("validation", []) if not c.get("ok")
        )
        table.add_row(
            a.get("dealer_code", ""),
            a.get("order_no") or "—",
            str(a["http_status"]),
            a.get("status", ""),
            a.get("total_net", ""),
            reasons or "—",
        )
    console.print(table)


def render_priced(answer: dict[str, Any], console: Console) -> None:
    """One order's lines, prices, the rules behind them, and its warehouse split."""
    priced = {line["line_no"]: line for line in (answer.get("pricing") or {}).get("lines", [])}
    table = Table(
        "line", "sku", "qty", "list", "net", "rules that applied", title=f"order {answer['order_no']}"
    )
    for line in answer["lines"]:
        explained = priced.get(line["line_no"], {})
        applied = ", ".join(
            f"{e['code']} ({e['reason']})" for e in explained.get("explanation", []) if e["applied"]
        )
        table.add_row(
            str(line["line_no"]),
            line["sku"],
            line["qty_base"],
            explained.get("list_amount", ""),
            line["net_amount"],
            applied or "—",
        )
    console.print(table)
    split = ", ".join(
        f"line {a['line_no']}: {a['qty']} from {a['location_code']}{' lot ' + a['lot'] if a['lot'] else ''}"
        for a in answer["allocations"]
    )
    console.print(f"warehouse split: {split or '—'}", highlight=False)


def push_orders_to_sap(engine: sa.Engine, sap: SapSandbox) -> DrainResult:
    """Drain the outbox into SAP (BAPI_SALESORDER_CREATEFROMDAT2 in the sandbox)."""
    sink = SapRfcSink(SAP_CONFIG, connection_factory=sap.connect)
    return drain_outbox(engine, {"sap-rfc": sink}, secrets=(SAP_PASSWORD,))
