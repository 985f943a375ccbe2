"""快递100 tracking → shipments and shipment_events, end to end on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import quarantine, shipment_events, shipments
from connectors.logistics_kuaidi100.sandbox import Kuaidi100Sandbox
from connectors.logistics_kuaidi100.source import Kuaidi100Source
from flows.sync.engine import SyncRequest, run_sync
from tests.connectors.logistics_kuaidi100.conftest import START, k100_config

STREAMS = ["waybills", "tracking_events"]


def sync(engine: Engine, source: Kuaidi100Source) -> dict[str, tuple[int, int, int]]:
    result = run_sync(engine, SyncRequest("logistics-kuaidi100", k100_config(), STREAMS), source=source)
    assert result.status == "succeeded", result.error
    return {s.stream: (s.read, s.loaded, s.rejected) for s in result.streams}


def events(engine: Engine, shipment_no: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(shipment_events.c.carrier_status_code, shipment_events.c.status)
            .where(shipment_events.c.shipment_no == shipment_no)
            .order_by(shipment_events.c.event_time)
        )
        return [(r.carrier_status_code, r.status) for r in rows]


def test_tracked_waybills_become_shipments_and_their_route_events(
    engine: Engine, source: Kuaidi100Source
) -> None:
    assert sync(engine, source) == {"waybills": (3, 3, 0), "tracking_events": (10, 10, 0)}
    with engine.connect() as conn:
        states = {
            r.shipment_no: r.status
            for r in conn.execute(sa.select(shipments.c.shipment_no, shipments.c.status))
        }
        delivered = conn.execute(
            sa.select(shipments.c.delivered_at).where(shipments.c.shipment_no == "SH-0001")
        ).scalar()
    assert states == {"SH-0001": "delivered", "SH-0002": "out_for_delivery", "ZT3000000003": "in_transit"}
    assert delivered == START + timedelta(hours=4)
    assert events(engine, "SH-0001") == [
        ("103", "picked_up"),
        ("1002", "in_transit"),
        ("1001", "in_transit"),
        ("5", "out_for_delivery"),
        ("301", "delivered"),
    ]


def test_a_rerun_reads_only_events_that_are_new(
    engine: Engine, source: Kuaidi100Source, sandbox: Kuaidi100Sandbox
) -> None:
    sync(engine, source)
    assert sync(engine, source)["tracking_events"] == (0, 0, 0)
    sandbox.add_event(
        "yuantong", "YT2000000002", at=START + timedelta(hours=3), code="304", context="已投柜签收"
    )
    assert sync(engine, source) == {"waybills": (3, 3, 0), "tracking_events": (1, 1, 0)}
    with engine.connect() as conn:
        status = conn.execute(
            sa.select(shipments.c.status).where(shipments.c.shipment_no == "SH-0002")
        ).scalar()
    assert status == "delivered"
    assert events(engine, "SH-0002")[-1] == ("304", "delivered")


def test_an_event_with_a_code_missing_from_the_table_is_quarantined_not_guessed(
    engine: Engine, source: Kuaidi100Source, sandbox: Kuaidi100Sandbox
) -> None:
    sandbox.add_event(
        "zhongtong", "ZT3000000003", at=START + timedelta(hours=5), code="999", context="新状态"
    )
    result = sync(engine, source)
    assert result["tracking_events"] == (11, 10, 1)
    assert result["waybills"] == (3, 3, 0)  # 快递100's top-level state of the waybill is still known
    with engine.connect() as conn:
        rejected = conn.execute(sa.select(quarantine.c.rule, quarantine.c.raw)).one()
    assert rejected.rule == "required:status"
    assert rejected.raw["carrier_status_code"] == "999" and rejected.raw["description"] == "新状态"
