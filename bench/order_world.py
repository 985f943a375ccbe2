"""The world the order benchmarks run in: the demo's sample network on PostgreSQL, stocked deep.

The sample network (dealers, products, price lists, promotions, contracts, qualifications,
warehouses, stock) is loaded as the demo loads it; then stock is multiplied and credit
limits raised so tens of thousands of orders can all pass every check, and every grade
auto-approves: each order takes the whole path (price, validate, reserve stock, outbox).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa

from canonical_model.tables import dealers, stock_levels
from dms_core.ordering import OrderingSettings, OrderRequest, place_order
from flows.demo.load import load_sample_network
from flows.demo.sample_network import SampleNetwork, build_sample_network

__all__ = ["NETWORK", "order_requests", "prepare_world", "settings"]

NETWORK: SampleNetwork = build_sample_network()
_BIG = Decimal(10) ** 12


def settings() -> OrderingSettings:
    """Every grade auto-approves: every order takes the full path through reservation."""
    return OrderingSettings(auto_approval_limits={"A": _BIG, "B": _BIG, "C": _BIG})


def prepare_world(engine: sa.Engine) -> None:
    """Load the sample network; stock for a million cases; credit nobody reaches."""
    load_sample_network(engine, NETWORK)
    with engine.begin() as conn:
        conn.execute(sa.update(stock_levels).values(on_hand=stock_levels.c.on_hand * 10_000 + 1_000_000))
        conn.execute(sa.update(dealers).values(credit_limit=_BIG))


def _lines(code: str, count: int) -> list[tuple[str, int, str]]:
    """``count`` authorised, active SKUs of dealer ``code`` with the most stock, one case each."""
    lines = {a["scope_code"] for a in NETWORK.authorizations if a["dealer_code"] == code}
    active = {
        p["sku"] for p in NETWORK.products if p["status"] == "active" and p["product_line_code"] in lines
    }
    stock: dict[str, Decimal] = defaultdict(Decimal)
    for row in NETWORK.stock_levels:
        if row["sku"] in active and (row["expiry_date"] is None or row["expiry_date"] >= NETWORK.today):
            stock[row["sku"]] += row["on_hand"]
    return [(sku, 1, "CS") for sku in sorted(stock, key=lambda sku: (-stock[sku], sku))[:count]]


def _request(code: str, lines: list[tuple[str, int, str]], key: str) -> OrderRequest:
    region = next(d["region_code"] for d in NETWORK.dealers if d["code"] == code)
    return OrderRequest(
        dealer_code=code,
        ship_to_region_code=region,
        order_date=NETWORK.today,
        lines=lines,
        idempotency_key=key,
        created_by="bench",
    )


def order_requests(engine: sa.Engine, count: int, *, lines: int = 5, prefix: str = "b") -> list[OrderRequest]:
    """``count`` orders of ``lines`` lines, round-robin over the dealers whose probe order is allocated.

    The probes (one per dealer) are placed here and stay in the store.
    """
    good: list[tuple[str, list[tuple[str, int, str]]]] = []
    config = settings()
    for dealer in NETWORK.dealers:
        if dealer["level"] == 0 or dealer["status"] != "active":
            continue
        chosen = _lines(dealer["code"], lines)
        if len(chosen) < lines:
            continue
        probe = place_order(engine, _request(dealer["code"], chosen, f"probe-{prefix}"), settings=config)
        if probe.status == "allocated":
            good.append((dealer["code"], chosen))
    if not good:
        raise RuntimeError("no dealer of the sample network can place an order")
    cycle = itertools.cycle(good)
    return [
        _request(code, chosen, f"{prefix}-{i}")
        for i, (code, chosen) in zip(range(count), cycle, strict=False)
    ]
