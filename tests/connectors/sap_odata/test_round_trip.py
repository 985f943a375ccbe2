"""Round trip on both databases: orders pushed by deep insert, their numbers read back by a sync."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import dealers, external_refs, orders, quarantine
from connectors.sap_odata.sandbox import SalesOrderSandbox
from connectors.sap_odata.sink import SapODataSink
from connectors.sap_odata.source import SapODataSource
from flows.sync.engine import SyncRequest, run_sync
from tests.connectors.conftest import SleepRecorder


def test_pushed_orders_are_read_back_onto_the_hub_orders_by_their_reference(
    engine: Engine, service: SalesOrderSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(dealers), [{"code": "21", "name": "杭州西湖乳业商行", "level": 2}])
        conn.execute(
            sa.insert(orders),
            [
                {
                    "order_no": f"SO-RT-{n}",
                    "dealer_code": "21",
                    "status": "approved",
                    "order_date": date(2026, 11, 1),
                }
                for n in (1, 2)
            ],
        )
    transport = httpx.MockTransport(service.handle)
    with SapODataSink(config, transport=transport, sleep=sleeps) as sink:
        pushed = {
            key: sink.submit_order(
                {"order_no": key, "dealer_code": "21", "lines": [{"sku": "SKU-10001", "qty": 6}]}
            )
            for key in ("SO-RT-1", "SO-RT-2")
        }

    result = run_sync(
        engine, SyncRequest("sap-odata", config), source=SapODataSource(transport=transport, sleep=sleeps)
    )

    [stream] = result.streams
    # 12 orders were entered in SAP itself: no hub order carries their reference.
    assert (stream.read, stream.loaded, stream.rejected) == (14, 2, 12)
    with engine.connect() as conn:
        refs: dict[str, Any] = dict(
            conn.execute(
                sa.select(external_refs.c.entity_key, external_refs.c.external_id).where(
                    external_refs.c.system == "sap-odata", external_refs.c.entity_type == "order"
                )
            )
            .tuples()
            .all()
        )
        rules = set(conn.execute(sa.select(quarantine.c.rule)).scalars())
    assert refs == pushed
    assert rules == {"lookup:entity_key"}
    again = run_sync(
        engine, SyncRequest("sap-odata", config), source=SapODataSource(transport=transport, sleep=sleeps)
    )
    assert again.streams[0].read == 0
