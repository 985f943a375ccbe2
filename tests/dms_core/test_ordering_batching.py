"""``place_orders`` decides exactly as ``place_order`` would, one after another — in bulk.

Two copies of the demo's sample network on each backend: one takes the orders one by one
through ``place_order``, the other as one batch (and as chunks of 3). Outcomes (status,
reasons, every check, prices, allocations, replays) and the stored effects (reserved stock,
exposure, outbox) must be the same, including the interactions inside a batch: stock
reserved by an earlier order is gone for the next, an earlier order's amount counts against
the dealer's credit, an idempotency key used earlier in the batch replays that order.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from canonical_model.store.database import create_engine
from canonical_model.tables import dealers, locations, metadata, outbox, stock_levels
from dms_core.ordering import (
    OrderingSettings,
    OrderOutcome,
    OrderRequest,
    check_reservation_invariant,
    place_order,
    read_exposure,
)
from dms_core.ordering.batching import place_orders
from flows.demo.load import load_sample_network
from flows.demo.sample_network import build_sample_network
from tests.conftest import PG_URL, require_postgresql

NETWORK = build_sample_network()
TODAY = NETWORK.today
BIG = Decimal(10) ** 9
SCARCE_CASES = 10  # left of one SKU; two orders of 6 cases each: the second is short


def _settings() -> OrderingSettings:
    return OrderingSettings(auto_approval_limits={"A": BIG, "B": Decimal(20_000), "C": None})


def _lines(code: str, count: int, cases: int = 1) -> list[tuple[str, int, str]]:
    auth = {a["scope_code"] for a in NETWORK.authorizations if a["dealer_code"] == code}
    active = {
        p["sku"] for p in NETWORK.products if p["status"] == "active" and p["product_line_code"] in auth
    }
    stock: dict[str, Decimal] = defaultdict(Decimal)
    for row in NETWORK.stock_levels:
        if row["sku"] in active and (row["expiry_date"] is None or row["expiry_date"] >= TODAY):
            stock[row["sku"]] += row["on_hand"]
    return [(sku, cases, "CS") for sku in sorted(stock, key=lambda s: (-stock[s], s))[:count]]


def _dealer(code: str) -> dict[str, Any]:
    return next(d for d in NETWORK.dealers if d["code"] == code)


def _order(code: str, lines: list[Any], key: str | None) -> OrderRequest:
    return OrderRequest(
        dealer_code=code,
        ship_to_region_code=_dealer(code)["region_code"]
        if code in {d["code"] for d in NETWORK.dealers}
        else None,
        order_date=TODAY,
        lines=lines,
        idempotency_key=key,
    )


def _scarce_sku(code: str) -> str:
    return _lines(code, 1)[0][0]


def _requests() -> list[OrderRequest]:
    grade_a = [d["code"] for d in NETWORK.dealers_at(2) if d["grade"] == "A" and d["status"] == "active"]
    grade_c = [d["code"] for d in NETWORK.dealers_at(3) if d["grade"] == "C" and d["status"] == "active"]
    first, second = grade_a[0], grade_a[1]
    scarce = _scarce_sku(first)
    six_cases = [(scarce, 6, "CS")]
    return [
        _order(first, _lines(first, 5), "k-1"),
        _order(second, _lines(second, 3), "k-2"),
        _order(first, _lines(first, 2), "k-1"),  # the key of the first order: a replay
        _order(first, six_cases, "scarce-1"),  # takes 6 of the 10 cases left (k-1 took 1)
        _order(first, six_cases, "scarce-2"),  # 3 left: short
        _order("D1-007", [line for line in _lines("D1-007", 7, 60) if line[0] != scarce][:6], "near-limit"),
        _order(grade_c[0], _lines(grade_c[0], 2), None),  # grade C: pending approval, no key
        _order("T-0049", _lines("T-0049", 1), "frozen"),  # rejected: inactive
        _order("NOPE", [("SKU-10001", 1)], "ghost"),  # no such dealer
        _order(first, [("NO-SUCH-SKU", 1)], "bad-line"),  # rejected: unknown product
        _order(second, _lines(second, 4), "k-3"),
    ]


def _prepare(engine: Engine) -> None:
    metadata.create_all(engine)
    load_sample_network(engine, NETWORK)
    first = next(d["code"] for d in NETWORK.dealers_at(2) if d["grade"] == "A" and d["status"] == "active")
    scarce = _scarce_sku(first)
    case = next(p["case_pack"] for p in NETWORK.products if p["sku"] == scarce)
    with engine.begin() as conn:
        loc, lot = conn.execute(
            sa.select(stock_levels.c.location_code, stock_levels.c.lot)
            .join(locations, locations.c.code == stock_levels.c.location_code)
            .where(stock_levels.c.sku == scarce, locations.c.kind == "brand_warehouse")
            .order_by(stock_levels.c.location_code, stock_levels.c.lot)
        ).first() or ("", "")
        conn.execute(
            sa.update(stock_levels).where(stock_levels.c.sku == scarce).values(on_hand=0, expiry_date=None)
        )
        conn.execute(
            sa.update(stock_levels)
            .where(
                stock_levels.c.sku == scarce, stock_levels.c.location_code == loc, stock_levels.c.lot == lot
            )
            .values(on_hand=SCARCE_CASES * case)
        )
        conn.execute(sa.update(dealers).where(dealers.c.code != "D1-007").values(credit_limit=BIG))


@pytest.fixture(params=["sqlite", "postgresql"])
def twins(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Engine]]:
    """Three identical worlds on one backend."""
    urls: list[str] = []
    schemas: list[str] = []
    if request.param == "sqlite":
        urls = [f"sqlite:///{tmp_path}/world{i}.sqlite" for i in range(3)]
    else:
        require_postgresql()
        admin = sa.create_engine(PG_URL)
        schemas = [f"t_{uuid.uuid4().hex[:12]}" for _ in range(3)]
        with admin.begin() as conn:
            for schema in schemas:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        base = make_url(PG_URL)
        urls = [
            base.update_query_dict({"options": f"-csearch_path={s}"}).render_as_string(hide_password=False)
            for s in schemas
        ]
    engines = [create_engine(url) for url in urls]
    for engine in engines:
        _prepare(engine)
    try:
        yield engines
    finally:
        for engine in engines:
            engine.dispose()
        if schemas:
            with admin.begin() as conn:
                for schema in schemas:
                    conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            admin.dispose()


def _view(outcome: OrderOutcome) -> tuple[Any, ...]:
    return (
        outcome.order_no is None,
        outcome.status,
        outcome.reasons,
        tuple(c.as_dict() for c in outcome.validation),
        outcome.quote.total_net if outcome.quote is not None else None,
        tuple((a.line_no, a.sku, a.location_code, a.lot, a.qty) for a in outcome.allocations),
        outcome.replayed,
    )


def _effects(engine: Engine) -> tuple[Any, ...]:
    with engine.connect() as conn:
        assert check_reservation_invariant(conn) == []
        reserved = conn.execute(
            sa.select(
                stock_levels.c.location_code, stock_levels.c.sku, stock_levels.c.lot, stock_levels.c.reserved
            )
            .where(stock_levels.c.reserved > 0)
            .order_by(stock_levels.c.location_code, stock_levels.c.sku, stock_levels.c.lot)
        ).all()
        exposure = {code: read_exposure(conn, code).total for code in ("D1-007", _requests()[0].dealer_code)}
        messages = conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one()
    return tuple(reserved), exposure, messages


def test_a_batch_decides_and_stores_what_one_by_one_would(twins: list[Engine]) -> None:
    one_by_one, batch, chunks = twins
    requests = _requests()
    expected = [place_order(one_by_one, r, settings=_settings()) for r in requests]
    got = place_orders(batch, requests, settings=_settings())
    in_chunks = place_orders(chunks, requests, settings=_settings(), chunk_size=3)
    assert [_view(o) for o in got] == [_view(o) for o in expected]
    assert [_view(o) for o in in_chunks] == [_view(o) for o in expected]
    statuses = [o.status for o in expected]
    assert {"allocated", "on_hold", "pending_approval", "rejected"} <= set(statuses)
    assert expected[2].replayed and expected[2].order_no == expected[0].order_no
    assert got[2].order_no == got[0].order_no
    assert expected[3].status == "allocated" and expected[4].status == "rejected"  # the scarce SKU ran out
    assert _effects(batch) == _effects(one_by_one) == _effects(chunks)


def test_a_batch_replays_keys_already_stored(twins: list[Engine]) -> None:
    engine = twins[0]
    requests = _requests()
    first = place_orders(engine, requests, settings=_settings())
    again = place_orders(engine, requests, settings=_settings())
    stored = [o for o in first if o.order_no is not None and o.status != "rejected"]
    assert stored
    for before, after in zip(first, again, strict=True):
        if before.order_no is not None and requests[first.index(before)].idempotency_key is not None:
            assert after.replayed and after.order_no == before.order_no
