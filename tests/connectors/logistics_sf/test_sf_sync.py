"""顺丰 routes → shipments and shipment_events, end to end on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import quarantine, shipment_events, shipments
from connectors.logistics_sf.sandbox import SfSandbox
from connectors.logistics_sf.source import SfSource
from flows.sync.engine import SyncRequest, run_sync
from tests.connectors.logistics_sf.conftest import START, sf_config


def sync(engine: Engine, source: SfSource, streams: list[str]) -> dict[str, tuple[int, int, int]]:
    result = run_sync(engine, SyncRequest("logistics-sf", sf_config(), streams), source=source)
    assert result.status == "succeeded", result.error
    return {s.stream: (s.read, s.loaded, s.rejected) for s in result.streams}


def test_routes_become_shipment_events_with_opcodes_kept(engine: Engine, source: SfSource) -> None:
    assert sync(engine, source, ["waybills", "tracking_events"]) == {
        "waybills": (2, 2, 0),
        "tracking_events": (9, 9, 0),
    }
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                shipment_events.c.event_time, shipment_events.c.carrier_status_code, shipment_events.c.status
            )
            .where(shipment_events.c.shipment_no == "SH-0001")
            .order_by(shipment_events.c.event_time)
        ).all()
        states = {
            r.shipment_no: r.status
            for r in conn.execute(sa.select(shipments.c.shipment_no, shipments.c.status))
        }
        carrier = conn.execute(sa.select(shipments.c.carrier_code).distinct()).scalars().all()
    assert [(r.carrier_status_code, r.status) for r in rows] == [
        ("54", "picked_up"),
        ("30", "in_transit"),
        ("36", "in_transit"),
        ("31", "in_transit"),
        ("204", "out_for_delivery"),
        ("80", "delivered"),
    ]
    assert rows[0].event_time == START
    assert states == {"SH-0001": "delivered", "SH-0002": "out_for_delivery"}
    assert carrier == ["shunfeng"]


def test_events_of_a_shipment_the_hub_does_not_know_are_quarantined(engine: Engine, source: SfSource) -> None:
    # Only the events stream: no shipments exist, and shipment_events needs one per event.
    assert sync(engine, source, ["tracking_events"]) == {"tracking_events": (9, 0, 9)}
    with engine.connect() as conn:
        rules = set(conn.execute(sa.select(quarantine.c.rule)).scalars())
    assert rules == {"lookup:shipment_no"}


def test_an_opcode_missing_from_the_table_is_quarantined_and_a_rerun_reads_only_new_events(
    engine: Engine, source: SfSource, sandbox: SfSandbox
) -> None:
    sync(engine, source, ["waybills", "tracking_events"])
    sandbox.add_event("SF1000000002", at=START + timedelta(hours=3), op_code="80", remark="已签收")
    sandbox.add_event("SF1000000002", at=START + timedelta(hours=4), op_code="12345", remark="未知操作")
    assert sync(engine, source, ["waybills", "tracking_events"]) == {
        "waybills": (2, 1, 1),  # SH-0002's newest opCode is the unknown one
        "tracking_events": (2, 1, 1),
    }
    with engine.connect() as conn:
        raw = conn.execute(
            sa.select(quarantine.c.raw).where(quarantine.c.stream == "tracking_events")
        ).scalar()
    assert raw is not None and raw["carrier_status_code"] == "12345"
