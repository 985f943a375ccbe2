"""The demo's ERP half: master data pulled from the SAP sandbox, orders placed, and the
approved ones pushed to SAP through the outbox, their SAP numbers written back.

The SAP system is the connector's sandbox (a stateful fake of pyrfc's Connection with
KNA1/MARA/MARD/VBAK tables and BAPI behaviour), seeded with the sample network — clearly
a sandbox, never an SAP system.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from connectors.sap_rfc.sandbox import SapSandbox
from connectors.sap_rfc.sink import SapRfcSink
from connectors.sap_rfc.source import SapRfcSource
from dms_core.ordering import OrderingSettings, OrderOutcome, OrderRequest, place_order
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


def place(engine: sa.Engine, requests: list[OrderRequest]) -> list[OrderOutcome]:
    settings = OrderingSettings(outbox_target="sap-rfc")
    return [place_order(engine, request, settings=settings) for request in requests]


def render_orders(outcomes: list[OrderOutcome], requests: list[OrderRequest], console: Console) -> None:
    """Every order with its status and, for the refused ones, every reason."""
    table = Table("dealer", "order", "status", "net (CNY)", "reasons", title="orders placed")
    for request, outcome in zip(requests, outcomes, strict=True):
        net = f"{outcome.quote.total_net:,.2f}" if outcome.quote is not None else ""
        reasons = "; ".join(f"{c.reason_code}: {c.message}" for c in outcome.failures) or "—"
        table.add_row(request.dealer_code, outcome.order_no or "—", outcome.status, net, reasons)
    console.print(table)


def render_priced(outcome: OrderOutcome, console: Console) -> None:
    """One order's lines, prices, the rules behind them, and its warehouse split."""
    if outcome.quote is None:
        return
    table = Table(
        "line", "sku", "qty", "list", "net", "rules that applied", title=f"order {outcome.order_no}"
    )
    for line in outcome.quote.lines:
        applied = ", ".join(f"{e.code} ({e.reason.value})" for e in line.explanation if e.applied) or "—"
        table.add_row(
            str(line.line_no),
            line.sku,
            f"{line.qty:f}",
            f"{line.list_amount:,.2f}",
            f"{line.net_amount:,.2f}",
            applied,
        )
    console.print(table)
    split = ", ".join(
        f"line {a.line_no}: {a.qty:f} from {a.location_code}{' lot ' + a.lot if a.lot else ''}"
        for a in outcome.allocations
    )
    console.print(f"warehouse split: {split or '—'}", highlight=False)


def push_orders_to_sap(engine: sa.Engine, sap: SapSandbox) -> DrainResult:
    """Drain the outbox into SAP (BAPI_SALESORDER_CREATEFROMDAT2 in the sandbox)."""
    sink = SapRfcSink(SAP_CONFIG, connection_factory=sap.connect)
    return drain_outbox(engine, {"sap-rfc": sink}, secrets=(SAP_PASSWORD,))
