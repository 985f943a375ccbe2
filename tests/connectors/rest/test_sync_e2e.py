"""End to end on both databases: the sandbox → the rest source → the packaged mappings → the store."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.store.merge import merge_rows
from canonical_model.tables import dealers, product_lines, products, quarantine, stock_levels
from connectors.rest.sandbox import Sandbox
from flows.sync.engine import SyncRequest, run_sync
from flows.sync.result import SyncResult
from tests.connectors.conftest import SleepRecorder
from tests.connectors.rest.helpers import TOKEN, config, source, stream

LINES = {
    "IF": "婴幼儿配方奶粉",
    "AP": "成人奶粉",
    "LM": "液态奶",
    "YG": "酸奶",
    "CH": "奶酪",
    "BC": "黄油与奶油",
}
SMALL_PAGES = config(
    stream("products", "offset", page_size=10),
    # One page of dealers: see test_a_dealer_whose_parent_came_in_an_earlier_batch_loads.
    stream("dealers", "page", page_size=50),
    stream(
        "stock", "link", page_size=25, partition={"param": "whCode", "values": ["WH-SH", "WH-GZ", "WH-CD"]}
    ),
)


@pytest.fixture
def hub(engine: Engine) -> Engine:
    """The store with the brand's product lines set up (products refer to them)."""
    with engine.begin() as conn:
        merge_rows(conn, product_lines, [{"code": c, "name": n} for c, n in LINES.items()])
    return engine


def sync(engine: Engine, sandbox: Sandbox, sleeps: SleepRecorder, cfg: dict[str, Any]) -> SyncResult:
    names = [s["name"] for s in cfg.get("streams", [])] or ["products", "dealers", "stock"]
    request = SyncRequest(connector="rest", config=cfg, streams=names)
    return run_sync(engine, request, source=source(sandbox, sleeps))


def live(conn: sa.Connection, table: sa.Table) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.count()).select_from(table).where(table.c.deleted_at.is_(None))
        ).scalar_one()
    )


@pytest.mark.parametrize("cfg", [config(), SMALL_PAGES], ids=["default_streams", "small_pages_partitioned"])
def test_products_then_dealers_then_stock_load_and_every_count_reconciles(
    hub: Engine, sandbox: Sandbox, sleeps: SleepRecorder, cfg: dict[str, Any]
) -> None:
    sandbox.put("products", {**sandbox.rows("products")[0], "materialCode": "SKU-BAD", "caseQty": 0})
    sandbox.put("stock", {**sandbox.rows("stock")[0], "materialCode": "SKU-GHOST"})
    sandbox.fail_next(1, status=429, retry_after=2)  # throttled once along the way
    result = sync(hub, sandbox, sleeps, cfg)
    assert result.status == "succeeded", result.error
    assert [s.stream for s in result.streams] == ["products", "dealers", "stock"]
    expected = {"products": 49, "dealers": 48, "stock": len(sandbox.rows("stock"))}
    assert {s.stream: s.read for s in result.streams} == expected
    assert all(s.reconciles for s in result.streams)
    assert {s.stream: s.rejected for s in result.streams} == {"products": 1, "dealers": 0, "stock": 1}
    assert sleeps.calls == [2.0]
    with hub.connect() as conn:
        assert (live(conn, products), live(conn, dealers), live(conn, stock_levels)) == (
            48,
            48,
            expected["stock"] - 1,
        )
        rules = sorted(conn.execute(sa.select(quarantine.c.rule)).scalars())
        sku = conn.execute(sa.select(products).where(products.c.sku == "SKU-10001")).one()
        dealer = conn.execute(sa.select(dealers).where(dealers.c.code == "C10002")).one()
    assert rules == ["check:case_pack", "lookup:sku"]
    assert (sku.gtin, sku.product_line_code, sku.base_unit, sku.guide_price) == (
        "06923456100015",
        "IF",
        "EA",
        Decimal("238.40"),
    )
    assert (sku.source_system, dealer.level, dealer.parent_code, dealer.status) == (
        "rest",
        2,
        "C10001",
        "active",
    )


def test_a_second_run_reads_only_the_rows_that_changed(
    hub: Engine, sandbox: Sandbox, sleeps: SleepRecorder
) -> None:
    sync(hub, sandbox, sleeps, SMALL_PAGES)
    stock_row = sandbox.rows("stock")[5]
    stock_key = (stock_row["whCode"], stock_row["materialCode"], stock_row["batchNo"])
    sandbox.update("products", "SKU-10002", retailPrice="80.00")
    sandbox.update("dealers", "C10003", custStatus="冻结")
    sandbox.update("stock", stock_key, qtyOnHand=7)
    second = sync(hub, sandbox, sleeps, SMALL_PAGES)
    assert {s.stream: (s.read, s.updated) for s in second.streams} == {
        "products": (1, 1),
        "dealers": (1, 1),
        "stock": (1, 1),
    }
    with hub.connect() as conn:
        price = conn.execute(sa.select(products.c.guide_price).where(products.c.sku == "SKU-10002")).scalar()
        status = conn.execute(sa.select(dealers.c.status).where(dealers.c.code == "C10003")).scalar()
        on_hand = conn.execute(
            sa.select(stock_levels.c.on_hand).where(
                stock_levels.c.location_code == stock_key[0],
                stock_levels.c.sku == stock_key[1],
                stock_levels.c.lot == stock_key[2],
            )
        ).scalar()
    assert (price, status, on_hand) == (Decimal("80.00"), "frozen", Decimal("7"))
    third = sync(hub, sandbox, sleeps, SMALL_PAGES)
    assert [s.read for s in third.streams] == [0, 0, 0]


def test_a_refused_token_fails_each_stream_without_leaking_it(
    hub: Engine, sandbox: Sandbox, sleeps: SleepRecorder
) -> None:
    result = sync(hub, sandbox, sleeps, config(token="revoked-" + TOKEN))
    assert result.status == "failed"
    assert result.error is not None and "HTTP 401" in result.error and TOKEN not in result.error


def test_a_dealer_whose_parent_came_in_an_earlier_batch_loads(
    hub: Engine, sandbox: Sandbox, sleeps: SleepRecorder
) -> None:
    result = sync(hub, sandbox, sleeps, config(stream("dealers", "page", page_size=10)))
    [dealers_run] = [s for s in result.streams if s.stream == "dealers"]
    assert result.status == "succeeded" and dealers_run.rejected == 0
