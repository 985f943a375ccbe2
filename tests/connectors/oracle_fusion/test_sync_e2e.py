"""``run_sync`` end to end: the Fusion sandbox → the packaged mappings → the canonical store."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import dealers, order_lines, orders, products, quarantine, unit_conversions
from connectors.oracle_fusion.sandbox import SEED_ITEMS, SEED_PARTIES, FusionSandbox
from connectors.oracle_fusion.sink import FusionOrderSink
from connectors.oracle_fusion.source import OracleFusionSource
from connectors.oracle_fusion.spec import OracleFusionConfig
from connectors.sink import submit_exactly_once
from flows.sync.engine import SyncRequest, run_sync
from tests.connectors.conftest import SleepRecorder


def seed_master_data(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(dealers),
            [{"code": code, "name": f"Dealer {code}", "level": 2} for code in SEED_PARTIES],
        )
        conn.execute(
            sa.insert(products), [{"sku": sku, "name": sku, "base_unit": "EA"} for sku in SEED_ITEMS]
        )
        conn.execute(
            sa.insert(unit_conversions),
            [{"sku": sku, "unit": "CS", "factor": Decimal(12)} for sku in SEED_ITEMS],
        )


def sync(engine: Engine, sandbox: FusionSandbox, config: dict[str, Any]) -> Any:
    source = OracleFusionSource(transport=sandbox.transport(), sleep=SleepRecorder())
    return run_sync(engine, SyncRequest(connector="oracle-fusion", config=config), source=source)


def test_fusion_orders_and_lines_land_in_the_canonical_store_and_our_own_order_comes_back(
    engine: Engine, fusion: FusionSandbox, fusion_config: dict[str, Any]
) -> None:
    seed_master_data(engine)
    first = sync(engine, fusion, fusion_config)
    assert first.status == "succeeded", first.error
    headers, lines = first.streams
    assert (headers.stream, headers.read, headers.loaded, headers.rejected) == ("sales_orders", 24, 24, 0)
    expected_lines = sum(len(o["lines"]) for o in fusion.orders)
    assert (lines.read, lines.loaded, lines.rejected) == (expected_lines, expected_lines, 0)
    with engine.connect() as conn:
        legacy = conn.execute(sa.select(orders).where(orders.c.order_no == "LEG:R13_Sample_Order_003")).one()
        case_line = conn.execute(
            sa.select(order_lines).where(
                order_lines.c.order_no == "LEG:R13_Sample_Order_002", order_lines.c.line_no == 3
            )
        ).one()
    assert (legacy.origin, legacy.dealer_code, legacy.status, legacy.source_system) == (
        "erp",
        "D1001",
        "released_to_erp",
        "oracle-fusion",
    )
    assert str(legacy.order_date) == "2024-05-01"  # 2024-04-30T16:00Z is May 1st in Beijing
    assert (case_line.unit, case_line.qty, case_line.qty_base) == ("CS", Decimal(18), Decimal(216))
    assert (case_line.net_price, case_line.net_amount) == (Decimal("37.50"), Decimal("675.00"))

    sleeps = SleepRecorder()
    sink = FusionOrderSink(
        OracleFusionConfig.model_validate(fusion_config), transport=fusion.transport(), sleep=sleeps
    )
    order = {
        "order_no": "SO-0001",
        "dealer_code": "D1003",
        "order_date": "2024-05-02",
        "lines": [{"line_no": 1, "sku": "FG-1002", "qty": "24", "unit": "EA", "net_price": "10"}],
    }
    fusion.time_out_after_commit()
    number = submit_exactly_once(sink, order, "SO-0001", sleep=sleeps)

    second = sync(engine, fusion, fusion_config)
    assert [s.read for s in second.streams] == [1, 1]
    with engine.connect() as conn:
        ours = conn.execute(sa.select(orders).where(orders.c.order_no == "SO-0001")).one()
        count = conn.execute(sa.select(sa.func.count()).select_from(orders)).scalar()
        rejected = conn.execute(sa.select(sa.func.count()).select_from(quarantine)).scalar()
    assert (ours.origin, ours.dealer_code, ours.status) == ("dms", "D1003", "released_to_erp")
    assert count == 25 and rejected == 0
    assert [o["OrderNumber"] for o in fusion.by_source_number("SO-0001")] == [number]
    assert sync(engine, fusion, fusion_config).streams[0].read == 0


def test_orders_of_an_unknown_dealer_or_status_are_quarantined_not_lost(
    engine: Engine, fusion_config: dict[str, Any]
) -> None:
    seed_master_data(engine)
    sandbox = FusionSandbox.seeded(orders=2)
    sandbox.add_order(system="LEG", source_id="X1", party="D9999", lines=[], tick=True)
    sandbox.add_order(system="LEG", source_id="X2", party="D1001", lines=[], status="SOMETHING_NEW")
    result = sync(engine, sandbox, fusion_config)
    headers = result.streams[0]
    assert (headers.read, headers.loaded, headers.rejected) == (4, 2, 2)
    with engine.connect() as conn:
        rules = sorted(conn.execute(sa.select(quarantine.c.rule)).scalars())
    assert rules == ["lookup:dealer_code", "map:status"]
