"""``run_sync`` over ``oracle-fusion``: no mapping writes Fusion orders into the canonical store.

Orders entered in Fusion become canonical orders only through the ``erp-orders`` flow
(validation, credit, reservations: tests/flows/test_erp_orders.py); a sync of the
connector's streams is refused per stream with a clear message and leaves ``orders`` empty.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import order_lines, orders
from connectors.oracle_fusion.sandbox import FusionSandbox
from connectors.oracle_fusion.source import OracleFusionSource
from flows.sync.engine import SyncRequest, run_sync
from tests.connectors.conftest import SleepRecorder


def test_a_sync_of_fusion_orders_creates_no_canonical_order_and_says_why(
    engine: Engine, fusion: FusionSandbox, fusion_config: dict[str, Any]
) -> None:
    source = OracleFusionSource(transport=fusion.transport(), sleep=SleepRecorder())

    result = run_sync(engine, SyncRequest(connector="oracle-fusion", config=fusion_config), source=source)

    assert [(s.stream, s.status, s.read) for s in result.streams] == [
        ("sales_orders", "failed", 0),
        ("sales_order_lines", "failed", 0),
    ]
    assert all("no mapping for oracle-fusion/" in (s.error or "") for s in result.streams)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(orders)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(order_lines)).scalar() == 0
