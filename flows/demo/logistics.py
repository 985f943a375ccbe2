"""The demo's logistics: the WMS confirms shipments of the released orders (a ``shp_*.csv``
drop read by ``wms-sftp`` in local-folder mode), and 快递100 tracking (its sandbox) moves
them through the carrier's states, normalised to the canonical shipment vocabulary.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from canonical_model.tables import order_allocations, order_lines, orders, shipment_events, shipments
from connectors.logistics_kuaidi100.sandbox import SANDBOX_CUSTOMER, SANDBOX_KEY, Kuaidi100Sandbox
from connectors.logistics_kuaidi100.source import Kuaidi100Source
from connectors.wms_sftp.sandbox import SHIPMENT_FILE_COLUMNS, shipment_rows, write_drop_file
from connectors.wms_sftp.source import WmsSftpSource
from flows.sync.engine import SyncRequest, run_sync

__all__ = ["ship_and_track"]

DEMO_PICKUP = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)

# 快递100 state codes: 1 picked up, 0 in transit, 5 out for delivery, 3 signed for.
ROUTES = (
    [
        ("1", "顺丰速运 已收取快件"),
        ("0", "快件在【上海转运中心】完成分拣"),
        ("5", "快件交给派送员"),
        ("3", "已签收"),
    ],
    [("1", "顺丰速运 已收取快件"), ("0", "快件到达【广州集散中心】"), ("5", "快件交给派送员")],
    [("1", "顺丰速运 已收取快件"), ("0", "快件在途")],
)


def ship_and_track(engine: sa.Engine, folder: Path, *, limit: int = 3) -> list[dict[str, Any]]:
    """Confirm shipments for up to ``limit`` released orders, track them, return their states."""
    with engine.connect() as conn:
        released = conn.execute(
            sa.select(orders.c.order_no, orders.c.dealer_code)
            .where(orders.c.status == "released_to_erp")
            .order_by(orders.c.order_no)
            .limit(limit)
        ).all()
        allocations = conn.execute(
            sa.select(order_allocations, order_lines.c.sku)
            .join(
                order_lines,
                (order_lines.c.order_no == order_allocations.c.order_no)
                & (order_lines.c.line_no == order_allocations.c.line_no),
            )
            .where(order_allocations.c.order_no.in_([o.order_no for o in released]))
            .order_by(order_allocations.c.order_no, order_allocations.c.line_no)
        ).all()
    drop = folder / "wms-sftp"
    rows: list[list[str]] = []
    for order in released:
        mine = [a for a in allocations if a.order_no == order.order_no]
        if not mine:
            continue
        rows += shipment_rows(
            f"S{order.order_no[-10:]}",  # short: item serials are <shipment>-<n>, at most 20 chars
            order_no=order.order_no,
            dealer_code=order.dealer_code,
            warehouse_code=mine[0].location_code,
            lines=[(a.sku, a.lot, int(a.qty)) for a in mine],
            shipped_at="2026-11-01 15:30:00",  # Beijing time, the demo's day
        )
    if not rows:
        return []
    name = "shp_20261101.csv"
    if not (drop / "out" / name).exists() and not (drop / "out" / "archive" / name).exists():
        write_drop_file(drop / "out", name, SHIPMENT_FILE_COLUMNS, rows, mtime=time.time() - 3600)
    (drop / "in").mkdir(parents=True, exist_ok=True)
    run_sync(
        engine,
        SyncRequest(
            "wms-sftp",
            {"mode": "local", "local_root": str(drop.resolve()), "settle_seconds": 0},
            streams=["shipments", "shipment_lines"],
            trigger="demo",
        ),
        source=WmsSftpSource(),
    )
    with engine.connect() as conn:
        confirmed = conn.execute(
            sa.select(shipments.c.shipment_no, shipments.c.waybill_no).where(
                shipments.c.order_no.in_([o.order_no for o in released])
            )
        ).all()
    carrier = Kuaidi100Sandbox()
    start = DEMO_PICKUP  # fixed, so a second demo run finds the same events, not new ones
    for i, shipment in enumerate(confirmed):
        carrier.add_route(
            "shunfeng", shipment.waybill_no, ROUTES[i % len(ROUTES)], start=start, step=timedelta(hours=4)
        )
    config = {
        "customer": SANDBOX_CUSTOMER,
        "key": SANDBOX_KEY,
        "base_url": "https://poll.kuaidi100.sandbox.invalid",
        "waybills": [
            {"company": "shunfeng", "number": s.waybill_no, "shipment_no": s.shipment_no} for s in confirmed
        ],
    }
    run_sync(
        engine,
        SyncRequest("logistics-kuaidi100", config, streams=["waybills", "tracking_events"], trigger="demo"),
        source=Kuaidi100Source(transport=carrier.transport, sleep=lambda seconds: None),
    )
    with engine.connect() as conn:
        states = conn.execute(
            sa.select(
                shipments.c.shipment_no,
                shipments.c.order_no,
                shipments.c.location_code,
                shipments.c.waybill_no,
                shipments.c.status,
                sa.select(sa.func.count())
                .where(shipment_events.c.shipment_no == shipments.c.shipment_no)
                .scalar_subquery()
                .label("events"),
            )
            .where(shipments.c.order_no.in_([o.order_no for o in released]))
            .order_by(shipments.c.shipment_no)
        ).all()
    return [dict(r._mapping) for r in states]
