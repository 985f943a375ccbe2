"""Order intake: orders of 5 lines through pricing, validation, allocation and persistence on PostgreSQL.

In one process, side by side on the same world (see :mod:`bench.order_world`):

- **before** — ``place_order`` per order (one transaction each), on a subset: the path the
  API takes for a single order;
- **after** — ``place_orders`` (the batch API: 500 orders a transaction, same decisions,
  locks taken up front, bulk writes) on all of them.

Over HTTP on loopback (uvicorn subprocess, ``POST /orders`` with a brand key): latency at
200 requests/s (open loop), and the maximum sustained rate (closed loop, 8 clients).
Every order must end ``allocated`` and the reservation invariant must hold afterwards.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from bench.common import fresh_schema, with_schema
from bench.http_load import RequestSpec, closed_loop, json_body, open_loop, running_server
from bench.order_world import order_requests, prepare_world, settings
from canonical_model.store.database import create_engine
from canonical_model.tables import metadata
from dms_core.api import create_api_key
from dms_core.ordering import OrderRequest, check_reservation_invariant, place_order
from dms_core.ordering.batching import place_orders

__all__ = ["OrderBenchResult", "run"]

RATE = 200.0


@dataclass
class OrderBenchResult:
    """Per repeat: orders/s of each in-process path; HTTP latencies (ms) and maximum rate."""

    orders: int
    single_orders: int
    http_requests: int
    single: list[float] = field(default_factory=list)
    batch: list[float] = field(default_factory=list)
    http_p50: list[float] = field(default_factory=list)
    http_p99: list[float] = field(default_factory=list)
    http_max_rate: list[float] = field(default_factory=list)
    http_max_p99: list[float] = field(default_factory=list)
    http_errors: list[int] = field(default_factory=list)

    def median(self, side: str) -> float:
        """Median of one list."""
        values: list[float] = getattr(self, side)
        return statistics.median(values)


def _check(outcomes: list[str], engine: sa.Engine) -> None:
    wrong = [s for s in outcomes if s != "allocated"]
    if wrong:
        raise RuntimeError(f"{len(wrong)} orders did not end allocated: {sorted(set(wrong))}")
    with engine.connect() as conn:
        drift = check_reservation_invariant(conn)
    if drift:
        raise RuntimeError(f"reservations drifted from stock: {drift[:3]}")


def _http_requests(requests: list[OrderRequest], key: str, offset: int) -> Callable[[int], RequestSpec]:
    """Request ``n`` is order ``n + offset`` (round-robin over ``requests``, each with a new key)."""
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}

    def build(n: int) -> RequestSpec:
        i = n + offset
        r = requests[i % len(requests)]
        body = {
            "dealer_code": r.dealer_code,
            "ship_to_region_code": r.ship_to_region_code,
            "order_date": r.order_date.isoformat(),
            "idempotency_key": f"{r.idempotency_key}-{i}",
            "lines": [{"sku": line.sku, "qty": str(line.qty), "unit": line.unit} for line in r.lines],
        }
        return "POST", "/orders", headers, json_body(body)

    return build


def run(
    base_url: str,
    *,
    orders: int,
    single_orders: int,
    http_requests: int,
    http_seconds: float,
    repeats: int = 3,
    log: Callable[[str], None] = print,
) -> OrderBenchResult:
    """Both in-process paths and the HTTP side, ``repeats`` times, each in a fresh world."""
    result = OrderBenchResult(orders, single_orders, http_requests)
    for i in range(repeats):
        with fresh_schema(base_url, prefix="orders") as schema:
            url = with_schema(base_url, schema)
            engine = create_engine(url)
            metadata.create_all(engine)
            prepare_world(engine)
            requests = order_requests(engine, orders + single_orders, prefix=f"r{i}")
            config = settings()
            started = time.perf_counter()
            statuses = [place_order(engine, r, settings=config).status for r in requests[:single_orders]]
            result.single.append(single_orders / (time.perf_counter() - started))
            started = time.perf_counter()
            statuses += [o.status for o in place_orders(engine, requests[single_orders:], settings=config)]
            result.batch.append(orders / (time.perf_counter() - started))
            _check(statuses, engine)
            with engine.begin() as conn:
                key = create_api_key(conn, role="brand_admin", label="bench")
            with running_server(url) as base:
                warm = _http_requests(requests, key, 0)
                closed_loop(base, warm, concurrency=4, seconds=1.0)  # warm-up: caches, pool
                steady = open_loop(
                    base, _http_requests(requests, key, 1_000_000), rate=RATE, count=http_requests
                )
                peak = closed_loop(
                    base, _http_requests(requests, key, 2_000_000), concurrency=8, seconds=http_seconds
                )
            result.http_errors.append(steady.errors)
            result.http_p50.append(steady.p50)
            result.http_p99.append(steady.p99)
            result.http_max_rate.append(peak.rate)
            result.http_max_p99.append(peak.p99)
            engine.dispose()
        log(
            f"  orders run {i + 1}: place_order {result.single[-1]:,.0f}/s, "
            f"place_orders {result.batch[-1]:,.0f}/s; HTTP at {RATE:.0f}/s p50 {steady.p50:.1f} ms "
            f"p99 {steady.p99:.1f} ms ({steady.errors} failed); "
            f"max {peak.rate:,.0f}/s (p99 {peak.p99:.0f} ms)"
        )
    return result
