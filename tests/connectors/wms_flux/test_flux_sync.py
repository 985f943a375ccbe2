"""FLUX → mappings → store, end to end on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import quarantine, shipment_lines, shipments, stock_levels
from connectors.wms_flux.sandbox import FluxSandbox
from connectors.wms_flux.source import FluxSource
from flows.sync.engine import SyncRequest, run_sync
from tests.connectors.wms_flux.conftest import SHIPPED_FROM, flux_config


def sync(
    engine: Engine, source: FluxSource, streams: list[str], *, full_refresh: bool = False
) -> dict[str, int]:
    result = run_sync(
        engine, SyncRequest("wms-flux", flux_config(), streams, full_refresh=full_refresh), source=source
    )
    assert result.status == "succeeded", result.error
    return {s.stream: s.read for s in result.streams}


def stock(engine: Engine) -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                stock_levels.c.location_code,
                stock_levels.c.sku,
                stock_levels.c.lot,
                stock_levels.c.on_hand,
                stock_levels.c.reserved,
            ).where(stock_levels.c.deleted_at.is_(None))
        )
        return {(r.location_code, r.sku, r.lot): (r.on_hand, r.reserved) for r in rows}


def test_inventory_lands_as_stock_levels_per_warehouse_sku_and_lot(
    engine: Engine, source: FluxSource, sandbox: FluxSandbox
) -> None:
    assert sync(engine, source, ["inventory"]) == {"inventory": 48}
    levels = stock(engine)
    assert len(levels) == 48
    assert levels[("WH02", "SKU012", "B2406")] == (Decimal("121"), Decimal("0"))
    assert levels[("WH01", "SKU004", "B2405")] == (Decimal("40"), Decimal("1"))
    with engine.connect() as conn:
        expiry = conn.execute(sa.select(stock_levels.c.expiry_date).limit(1)).scalar()
        lineage = conn.execute(sa.select(stock_levels.c.source_system).distinct()).scalars().all()
    assert str(expiry) == "2026-05-01" and lineage == ["wms-flux"]


def test_a_full_refresh_soft_deletes_stock_the_wms_no_longer_reports(
    engine: Engine, source: FluxSource, sandbox: FluxSandbox
) -> None:
    sync(engine, source, ["inventory"], full_refresh=True)
    del sandbox.stock[("WH01", "SKU001", "B2405")]
    sandbox.set_stock("WH01", "SKU002", 99, lot="B2405")
    sync(engine, source, ["inventory"], full_refresh=True)
    levels = stock(engine)
    assert ("WH01", "SKU001", "B2405") not in levels and len(levels) == 47
    assert levels[("WH01", "SKU002", "B2405")][0] == Decimal("99")


def test_stock_allocated_beyond_on_hand_is_quarantined_and_the_rest_loaded(
    engine: Engine, source: FluxSource, sandbox: FluxSandbox
) -> None:
    sandbox.set_stock("WH01", "SKU005", 3, lot="B2405", allocated=9)
    sandbox.set_stock("WH01", "SKU006", "12,5", lot="B2405")
    result = run_sync(engine, SyncRequest("wms-flux", flux_config(), ["inventory"]), source=source)
    [stream] = result.streams
    assert (stream.read, stream.loaded, stream.rejected) == (48, 46, 2)
    with engine.connect() as conn:
        rules = sorted(conn.execute(sa.select(quarantine.c.rule)).scalars())
    assert rules == ["cast:on_hand", "check:allocated_within_on_hand"]


def test_shipment_confirmations_become_shipments_with_their_lines(
    engine: Engine, source: FluxSource, sandbox: FluxSandbox
) -> None:
    assert sync(engine, source, ["shipments", "shipment_lines"]) == {"shipments": 4, "shipment_lines": 8}
    with engine.connect() as conn:
        row = conn.execute(sa.select(shipments).where(shipments.c.shipment_no == "WH02-SO0001")).one()
        lines = conn.execute(
            sa.select(
                shipment_lines.c.line_no, shipment_lines.c.sku, shipment_lines.c.lot, shipment_lines.c.qty
            )
            .where(shipment_lines.c.shipment_no == "WH02-SO0001")
            .order_by(shipment_lines.c.line_no)
        ).all()
    assert (row.order_no, row.location_code, row.carrier_code, row.waybill_no) == (
        "PO-WH02-1",
        "WH02",
        "shunfeng",
        "SF10000000001",
    )
    assert row.shipped_at == SHIPPED_FROM + timedelta(hours=1) and row.status == "created"
    assert [tuple(line) for line in lines] == [
        (1, "SKU001", "B2405", Decimal("2")),
        (2, "SKU002", "B2406", Decimal("1")),
    ]


def test_an_incremental_rerun_reads_only_new_confirmations(
    engine: Engine, source: FluxSource, sandbox: FluxSandbox
) -> None:
    sync(engine, source, ["shipments"])
    assert sync(engine, source, ["shipments"]) == {"shipments": 0}
    # A late confirmation sharing the boundary ship time is still read.
    sandbox.add_shipment(
        "WH01-SO0009",
        warehouse="WH01",
        shipped_at=SHIPPED_FROM + timedelta(hours=1),
        lines=[("SKU009", 1, "")],
        delivery_no="YT0000000009",
        carrier_id="YTO",
    )
    assert sync(engine, source, ["shipments"]) == {"shipments": 1}
    with engine.connect() as conn:
        carrier = conn.execute(
            sa.select(shipments.c.carrier_code).where(shipments.c.shipment_no == "WH01-SO0009")
        ).scalar()
    assert carrier == "yuantong"
