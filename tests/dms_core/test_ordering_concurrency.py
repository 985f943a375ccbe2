"""100 orders at once on PostgreSQL: row locks keep credit within the limit and stock above zero.

Each thread places its order through its own pooled connection and transaction. The
dealer row lock serialises one dealer's credit checks; the stock row locks (taken in key
order) serialise allocation of one SKU across dealers. Afterwards exactly the orders that
fit are allocated, and the reservation invariant holds.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.store.database import create_engine
from canonical_model.store.hierarchy import refresh_dealer_closure
from canonical_model.tables import (
    authorizations,
    dealer_qualifications,
    dealers,
    metadata,
    stock_levels,
)
from dms_core.ordering import OrderOutcome, OrderRequest, place_order, read_exposure
from tests.dms_core.ordering_support import DAY, assert_consistent, request, seed_world, settings, update

D = Decimal
THREADS = 100


@pytest.fixture
def pg_world(pg_schema_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_schema_url, pool_size=20, max_overflow=0, pool_timeout=120)
    metadata.create_all(engine)
    seed_world(engine)
    yield engine
    engine.dispose()


def all_at_once(engine: Engine, requests: list[OrderRequest]) -> list[OrderOutcome]:
    """Place every request from its own thread (own connection), released together by a barrier."""
    barrier = threading.Barrier(len(requests))
    shared = settings()  # one per process, as in production: the catalog cache is shared

    def run(order: OrderRequest) -> OrderOutcome:
        barrier.wait()
        return place_order(engine, order, settings=shared)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def formula_available(engine: Engine) -> Decimal:
    with engine.connect() as conn:
        total = conn.execute(
            sa.select(sa.func.sum(stock_levels.c.on_hand - stock_levels.c.reserved)).where(
                stock_levels.c.sku == "FORMULA", stock_levels.c.expiry_date >= DAY
            )
        ).scalar_one()
    return Decimal(total)


def exposure(engine: Engine, dealer: str) -> Decimal:
    with engine.connect() as conn:
        return read_exposure(conn, dealer).total


@pytest.mark.parametrize(
    ("credit_limit", "expected_allocated", "left_on_shelf"),
    [(D(16_000), 30, D(18)), (D(30_000), 48, D(0))],
    ids=["credit-binds", "stock-binds"],
)
def test_a_hundred_concurrent_orders_never_exceed_the_credit_limit_or_the_stock(
    pg_world: Engine, credit_limit: Decimal, expected_allocated: int, left_on_shelf: Decimal
) -> None:
    # 10,000 receivable; each order is 1 FORMULA at 200.00; 48 FORMULA in date across warehouses.
    update(pg_world, dealers, {"code": "DA"}, credit_limit=credit_limit)
    orders = [request(lines=[("FORMULA", 1)], idempotency_key=f"t{n}") for n in range(THREADS)]
    outcomes = all_at_once(pg_world, orders)
    statuses = Counter(o.status for o in outcomes)
    assert statuses["allocated"] == expected_allocated
    assert sum(statuses.values()) == THREADS and len({o.order_no for o in outcomes}) == THREADS
    assert exposure(pg_world, "DA") <= credit_limit
    assert exposure(pg_world, "DA") == D(10_000) + 200 * expected_allocated
    assert formula_available(pg_world) == left_on_shelf
    assert_consistent(pg_world)


def add_dealers(engine: Engine, codes: list[str], credit: Decimal) -> None:
    with engine.begin() as conn:
        for code in codes:
            conn.execute(
                dealers.insert(),
                [
                    {
                        "code": code,
                        "name": code,
                        "level": 2,
                        "parent_code": "BRAND",
                        "grade": "A",
                        "region_code": "330106",
                        "credit_limit": credit,
                    }
                ],
            )
            conn.execute(dealer_qualifications.insert(), [{"dealer_code": code, "kind": "business_license"}])
            conn.execute(
                authorizations.insert(),
                [
                    {
                        "dealer_code": code,
                        "scope_type": "product_line",
                        "scope_code": "IF",
                        "region_code": "330000",
                        "valid_from": date(2026, 1, 1),
                    }
                ],
            )
        refresh_dealer_closure(conn)


def test_many_dealers_racing_for_one_scarce_sku_get_exactly_the_stock_there_is(pg_world: Engine) -> None:
    codes = [f"R{n:02d}" for n in range(4)]
    add_dealers(pg_world, codes, credit=D(100_000))
    update(pg_world, dealers, {"code": codes[0]}, credit_limit=D(1_200))  # R00 fits three orders of 400.00
    orders = [
        request(dealer_code=codes[n % 4], lines=[("FORMULA", 2)], idempotency_key=f"race-{n}")
        for n in range(THREADS)
    ]
    outcomes = all_at_once(pg_world, orders)
    allocated = Counter(o.order_no is not None and o.status == "allocated" for o in outcomes)
    assert allocated[True] == 24  # 48 in date / 2 per order
    assert formula_available(pg_world) == 0
    assert exposure(pg_world, codes[0]) <= D(1_200)
    by_dealer = Counter(codes[n % 4] for n, o in enumerate(outcomes) if o.status == "allocated")
    assert by_dealer[codes[0]] <= 3
    assert {o.status for o in outcomes} <= {"allocated", "rejected", "on_hold"}
    assert_consistent(pg_world)


def test_the_same_order_sent_twenty_times_at_once_is_stored_once(pg_world: Engine) -> None:
    outcomes = all_at_once(pg_world, [request(idempotency_key="double-click") for _ in range(20)])
    assert len({o.order_no for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    with pg_world.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
    assert count == 1
    assert_consistent(pg_world)
