"""The demo's steps, in order, each printing what it did. ``dmshub demo`` runs them.

1. migrate the store and load the sample network's master data (dealers, products,
   prices, ...) — its stock comes from the WMS instead, as in production;
2. drop the WMS stock snapshot files (one per brand warehouse, three bad rows in one)
   into ``.dmshub/demo/wms-drop`` and sync them with the real ``file-drop`` connector;
3. show the run summary, the quarantined rows with their reasons, and the network
   read back from the store;
4. pull customers and materials from the SAP sandbox, place orders for several dealers
   (some refused, with every reason), show one priced order with the rules behind its
   prices and its warehouse split;
5. push the approved orders to SAP through the outbox and print the SAP order numbers;
6. sign a dealer's contract and pay one order (deposit and balance) through signed
   callbacks from the DocuSign and Alipay sandboxes, over HTTP, and show the result;
7. the WMS confirms shipments of released orders (wms-sftp, local-folder mode) and
   快递100 tracking moves them through the carrier's states;
8. coded cartons are commissioned, packed and shipped to dealers, terminal scans come
   in — one carton scanned outside its dealer's territory raises a diversion alert with
   its evidence chain and freezes the dealer.

``demo`` is the Prefect flow ``dmshub demo`` runs: every step is a task of it, so with a
Prefect server configured (``PREFECT_API_URL``) the run and its steps show in the UI.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
import yaml
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from rich.console import Console
from rich.table import Table

from canonical_model.store.database import create_engine
from canonical_model.store.migrations import upgrade
from canonical_model.tables import quarantine
from flows.demo.load import load_sample_network, render_summary, summarize_network
from flows.demo.sample_network import SampleNetwork, build_sample_network
from flows.demo.stock_files import write_stock_snapshot
from flows.sync.engine import SyncRequest, run_sync
from flows.sync.result import SyncResult

P = ParamSpec("P")
R = TypeVar("R")

__all__ = ["demo", "demo_folder", "load_master_data", "run_demo", "sync_wms_stock"]


def demo_folder(engine: sa.Engine) -> Path:
    """Where the demo keeps its files: beside an embedded store, else ./.dmshub/demo."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    base = Path(database).parent if database and database != ":memory:" else Path(".dmshub")
    folder = base / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_master_data(engine: sa.Engine, network: SampleNetwork) -> dict[str, int]:
    """Step 1: the schema, then everything but stock (the WMS is the source of stock)."""
    upgrade(engine)
    return load_sample_network(engine, dataclasses.replace(network, stock_levels=[]))


def sync_wms_stock(engine: sa.Engine, network: SampleNetwork, folder: Path) -> SyncResult:
    """Step 2: the WMS drop (written once) synced through the file-drop connector."""
    drop = folder / "wms-drop"
    if not drop.exists():
        drop.mkdir(parents=True)
        write_stock_snapshot(network, drop)
    config = {"path": str(drop.resolve()), "settle_seconds": 0}
    (folder / "file-drop.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return run_sync(
        engine, SyncRequest(connector="file-drop", config=config, streams=["stock"], trigger="demo")
    )


def render_quarantine(engine: sa.Engine, console: Console, *, connector: str = "file-drop") -> int:
    """The open quarantined rows of ``connector`` with rule, reason and where they came from."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(quarantine.c.id, quarantine.c.rule, quarantine.c.reason, quarantine.c.source_offset)
            .where(quarantine.c.connector == connector, quarantine.c.status == "open")
            .order_by(quarantine.c.id)
        ).all()
    if rows:
        table = Table("id", "rule", "reason", "source", title=f"quarantined by {connector}")
        for r in rows:
            table.add_row(str(r.id), r.rule, r.reason, r.source_offset or "")
        console.print(table)
    return len(rows)


def _step(name: str, fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` as a Prefect task: its own task run, state and logs in the demo's flow run.

    Steps hand each other an engine and a console, which are neither cacheable nor values
    a server should store: no cache policy, and the flow itself takes only plain values.
    """
    return task(name=name, cache_policy=NO_CACHE)(fn)


def run_demo(engine: sa.Engine, console: Console, *, seed: int = 2026) -> SyncResult:
    """All steps, each as a Prefect task; returns the stock sync's result. Call inside a flow."""
    from flows.cli.sync_cmd import render_result

    network = build_sample_network(seed=seed)
    counts = _step("1-master-data", load_master_data)(engine, network)
    console.print("[bold]1. master data[/bold]: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    folder = demo_folder(engine)
    result = _step("2-wms-stock-sync", sync_wms_stock)(engine, network, folder)
    console.print(f"[bold]2. WMS stock sync[/bold] from {folder / 'wms-drop'}:")
    render_result(result, console)
    render_quarantine(engine, console)
    console.print("[bold]3. the network, read back from the store[/bold]")
    render_summary(_step("3-network", summarize_network)(engine), console)
    erp_steps(engine, network, console)
    _step("6-contract-and-payments", commerce_step)(engine, console)
    _step("7-shipments-and-tracking", logistics_step)(engine, console)
    _step("8-trace-codes-and-diversion", tracing_step)(engine, console)
    return result


def erp_steps(engine: sa.Engine, network: SampleNetwork, console: Console) -> None:
    """Steps 4 and 5: SAP master data, orders, and the push to SAP."""
    from flows.cli.sync_cmd import render_result
    from flows.demo import erp

    sap = erp.sap_sandbox(network)
    console.print("[bold]4. master data from the SAP sandbox[/bold] (RFC_READ_TABLE on KNA1/MARA/MAKT)")
    render_result(_step("4-sap-master-data", erp.pull_sap_master_data)(engine, sap), console)
    requests = erp.sample_orders(network)
    answers = _step("4-orders-over-http", erp.place)(engine, requests)
    erp.render_orders(answers, console)
    priced = next((a for a in answers if a.get("status") == "allocated"), None)
    if priced is not None:
        erp.render_priced(priced, console)
    console.print("[bold]5. approved orders → SAP[/bold] (BAPI_SALESORDER_CREATEFROMDAT2 through the outbox)")
    pushed = _step("5-push-to-sap", erp.push_orders_to_sap)(engine, sap)
    table = Table("order", "SAP sales order", title="released to the ERP")
    for order_no, number in pushed.sent.items():
        table.add_row(order_no, number)
    console.print(table)
    for order_no, error in {**pushed.retrying, **pushed.dead}.items():
        console.print(f"[red]{order_no}[/red]: {error}", highlight=False)


def tracing_step(engine: sa.Engine, console: Console) -> None:
    """Step 8: coded cartons shipped to dealers, terminal scans, one diverted carton."""
    from flows.demo.tracing import run_tracing_demo

    console.print("[bold]8. one item, one code[/bold] (commission → pack → ship → terminal scans)")
    run_tracing_demo(engine, console)


def logistics_step(engine: sa.Engine, console: Console) -> None:
    """Step 7: shipments confirmed by the WMS, then tracked at the carrier."""
    from flows.demo.logistics import ship_and_track

    console.print("[bold]7. shipments and tracking[/bold] (WMS shp_*.csv drop, 快递100 sandbox)")
    table = Table("shipment", "order", "warehouse", "waybill", "status", "events", title="shipments")
    for s in ship_and_track(engine, demo_folder(engine)):
        table.add_row(
            s["shipment_no"],
            s["order_no"] or "",
            s["location_code"] or "",
            s["waybill_no"] or "",
            s["status"],
            str(s["events"]),
        )
    console.print(table)


def commerce_step(engine: sa.Engine, console: Console) -> None:
    """Step 6: a contract and two payments arrive as signed webhooks."""
    from flows.demo.commerce import contract_and_payments

    console.print("[bold]6. contract and payments[/bold] (signed callbacks: DocuSign Connect, Alipay notify)")
    outcome = contract_and_payments(engine)
    if outcome is None:
        console.print("no order released to the ERP to pay")
        return
    console.print(
        f"webhook answers {outcome.http_statuses}; contract {outcome.contract_no}: {outcome.contract_status}",
        highlight=False,
    )
    table = Table("payment", "amount", "paid", "status", title=f"payment plan of {outcome.order_no}")
    for kind, amount, paid, status in outcome.plan:
        table.add_row(kind, f"{amount:,.2f}", f"{paid:,.2f}", status)
    console.print(table)


@flow(name="demo", validate_parameters=True)
def demo(seed: int = 2026, database_url: str | None = None) -> str:
    """The whole demo on one store (``database_url``, else ``$DMSHUB_DATABASE_URL``, else the
    embedded SQLite file); returns the WMS stock sync's status."""
    engine = create_engine(database_url)
    try:
        return run_demo(engine, Console(), seed=seed).status
    finally:
        engine.dispose()
