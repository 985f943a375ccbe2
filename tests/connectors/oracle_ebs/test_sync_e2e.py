"""``run_sync`` end to end: the EBS sandbox → the packaged mappings → canonical dealers and products."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import dealers, products, quarantine
from connectors.oracle_ebs.sandbox import EbsSandbox
from connectors.oracle_ebs.source import OracleEbsSource
from flows.sync.engine import SyncRequest, run_sync
from tests.connectors.conftest import SleepRecorder


def sync(engine: Engine, sandbox: EbsSandbox, config: dict[str, Any]) -> Any:
    source = OracleEbsSource(transport=sandbox.transport(), sleep=SleepRecorder())
    return run_sync(engine, SyncRequest(connector="oracle-ebs", config=config), source=source)


def test_customers_become_a_dealer_tree_and_items_become_products(
    engine: Engine, ebs: EbsSandbox, ebs_config: dict[str, Any]
) -> None:
    # Pages of 5: the tree arrives in three batches, children after the batch holding their parent.
    result = sync(engine, ebs, ebs_config)
    assert result.status == "succeeded", result.error
    customers, items = result.streams
    assert (customers.read, customers.loaded, customers.rejected) == (12, 12, 0)
    assert (items.read, items.loaded, items.rejected) == (9, 9, 0)
    with engine.connect() as conn:
        tree = {
            row.code: (row.level, row.parent_code, row.status) for row in conn.execute(sa.select(dealers))
        }
        d1001 = conn.execute(sa.select(dealers).where(dealers.c.code == "D1001")).one()
        item = conn.execute(sa.select(products).where(products.c.sku == "FG-1001")).one()
        retired = conn.execute(sa.select(products.c.status).where(products.c.sku == "FG-1009")).scalar()
    assert tree["D1001"] == (1, None, "active")
    assert tree["D1002"] == (2, "D1001", "active")
    assert tree["D1012"] == (4, "D1004", "suspended")
    assert (d1001.credit_limit, d1001.payment_terms_days, d1001.name) == (
        Decimal(500000),
        30,
        "经销商001商贸有限公司",
    )
    assert (item.base_unit, item.gtin, item.guide_price, item.shelf_life_days) == (
        "EA",
        "06901234560015",
        Decimal("36.50"),
        365,
    )
    assert retired == "discontinued"

    ebs.touch_customer("D1005", PARTY_NAME="经销商005商贸有限公司（新）", PAYMENT_TERM_NAME="NET 17")
    ebs.touch_customer("D1004", STATUS="I")
    again = sync(engine, ebs, ebs_config)
    assert [(s.read, s.loaded, s.rejected) for s in again.streams] == [(2, 1, 1), (0, 0, 0)]
    with engine.connect() as conn:
        status = conn.execute(sa.select(dealers.c.status).where(dealers.c.code == "D1004")).scalar()
        rule = conn.execute(sa.select(quarantine.c.rule)).scalar()
    assert status == "suspended" and rule == "map:payment_terms_days"
