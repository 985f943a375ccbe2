"""TMS waybills and positions → shipments (status, ETA), end to end on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import shipments
from connectors.tms.source import TmsSource
from flows.sync.engine import SyncRequest, run_sync
from tests.connectors.tms.conftest import START, tms_config


def test_waybills_become_shipments_and_positions_update_their_eta(engine: Engine, source: TmsSource) -> None:
    result = run_sync(
        engine, SyncRequest("tms", tms_config(), ["waybills", "vehicle_positions"]), source=source
    )
    assert result.status == "succeeded", result.error
    assert {s.stream: (s.read, s.loaded, s.rejected) for s in result.streams} == {
        "waybills": (7, 7, 0),
        "vehicle_positions": (21, 21, 0),
    }
    with engine.connect() as conn:
        row = conn.execute(sa.select(shipments).where(shipments.c.shipment_no == "SH000002")).one()
        statuses = {
            r.shipment_no: r.status
            for r in conn.execute(sa.select(shipments.c.shipment_no, shipments.c.status))
        }
    assert (row.waybill_no, row.carrier_code, row.location_code, row.shipped_at) == (
        "TMS000002",
        "g7",
        "WH01",
        START,
    )
    # The third (latest) fix moved the ETA 10 minutes earlier than the waybill's.
    assert row.eta == START + timedelta(hours=10) - timedelta(minutes=10)
    assert statuses["SH000003"] == "delivered" and statuses["SH000001"] == "in_transit"
