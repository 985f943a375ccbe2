"""Webhook acknowledgement, and a WMS stock change pushed to the hub until order validation sees it.

The push path, end to end, as deployed:

1. the WMS POSTs a signed stock event (``webhook-hmac``, Stripe-style HMAC-SHA256 with a
   timestamp) to ``/webhooks/wms-stock`` on ``dmshub serve`` (``bench.http_server``);
2. the endpoint verifies it, stores it in the inbox once and acknowledges — the **ack**
   latency is measured here, at 200 requests/s (open loop, valid signatures, distinct events),
   while no worker runs (acknowledging never waits for processing); then the worker starts
   and its drain rate over that burst is recorded;
3. an always-on inbox worker (``bench.inbox_worker``: ``process_inbox`` in a loop, 10 ms
   poll when idle) maps the event onto ``stock_levels`` (merge on location × SKU × lot);
4. order validation reads availability with :func:`dms_core.ordering.stock.lock_stock`
   (the query ``place_order`` allocates from). **Propagation** is from the POST being sent
   until that query returns the new on-hand (polled every 2 ms), one event at a time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from bench.common import REPO, fresh_schema, percentile, with_schema
from bench.http_load import RequestSpec, open_loop, running_server
from bench.order_world import prepare_world
from canonical_model.store.database import create_engine
from canonical_model.tables import inbox, metadata, stock_levels
from connectors.webhook_hmac.receiver import sign
from dms_core.ordering.stock import lock_stock

__all__ = ["WebhookBenchResult", "run"]

SECRET = "bench-webhook-secret"  # noqa: S105 - a throwaway secret of the benchmark's own receiver
ENDPOINT = "wms-stock"
RATE = 200.0


@dataclass
class WebhookBenchResult:
    """Per repeat: ack p50/p99 at 200/s and propagation p50/p99 (ms); the worker's drain rate (events/s)."""

    acks: int
    pushes: int
    ack_p50: list[float] = field(default_factory=list)
    ack_p99: list[float] = field(default_factory=list)
    push_p50: list[float] = field(default_factory=list)
    push_p99: list[float] = field(default_factory=list)
    drain_rate: list[float] = field(default_factory=list)
    ack_errors: list[int] = field(default_factory=list)

    def median(self, side: str) -> float:
        """Median of one list."""
        values: list[float] = getattr(self, side)
        return statistics.median(values)


def _receivers(path: Path) -> Path:
    fields = {
        "location_code": "data.warehouse_code",
        "sku": "data.sku",
        "lot": "data.lot",
        "on_hand": "data.on_hand",
        "as_of": "data.updated_at",
    }
    config = {"secret": SECRET, "entity": "stock_levels", "fields": fields}
    path.write_text(json.dumps({ENDPOINT: {"connector": "webhook-hmac", "config": config}}), encoding="utf-8")
    return path


def _event(event_id: str, key: tuple[str, str, str], on_hand: int) -> RequestSpec:
    location, sku, lot = key
    body = json.dumps(
        {
            "id": event_id,
            "type": "stock.changed",
            "data": {
                "warehouse_code": location,
                "sku": sku,
                "lot": lot,
                "on_hand": on_hand,
                "updated_at": "2026-11-02T08:00:00+08:00",
            },
        }
    ).encode()
    stamp = int(time.time())
    headers = {"content-type": "application/json", "signature": f"t={stamp},v1={sign(SECRET, stamp, body)}"}
    return "POST", f"/webhooks/{ENDPOINT}", headers, body


def _acks(prefix: str, keys: list[tuple[str, str, str]]) -> Callable[[int], RequestSpec]:
    """Delivery ``n``: a distinct event on one of ``keys``."""
    return lambda n: _event(f"{prefix}-ack-{n}", keys[n % len(keys)], 1_000 + n)


@contextmanager
def _worker(url: str, receivers: Path) -> Iterator[None]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "bench.inbox_worker", url, str(receivers)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def _drain(engine: sa.Engine, events: int) -> float:
    """Wait until the worker has processed the burst; its rate (events/s) from the end of the burst."""
    started = time.perf_counter()
    pending = sa.select(sa.func.count()).select_from(inbox).where(inbox.c.status.in_(("received", "failed")))
    while True:
        with engine.connect() as conn:
            if conn.execute(pending).scalar_one() == 0:
                return events / (time.perf_counter() - started)
        if time.perf_counter() - started > 600:
            raise RuntimeError("the inbox worker did not drain the burst within 10 minutes")
        time.sleep(0.05)


def _propagation(base: str, engine: sa.Engine, keys: list[tuple[str, str, str]], count: int) -> list[float]:
    latencies: list[float] = []
    with httpx.Client(base_url=base) as client, engine.connect() as conn:
        for i in range(count):
            key = keys[i % len(keys)]
            wanted = 50_000_000 + i
            method, path, headers, body = _event(f"push-{i}", key, wanted)
            sent = time.perf_counter()
            if client.request(method, path, headers=headers, content=body).status_code != 200:
                raise RuntimeError("the stock event was not acknowledged")
            while True:
                rows = lock_stock(conn, [key[1]], [key[0]], lock=False)
                conn.rollback()  # a fresh snapshot for the next look
                if any(r.lot == key[2] and r.on_hand == wanted for r in rows):
                    break
                if time.perf_counter() - sent > 10:
                    raise RuntimeError("a pushed stock change was not visible after 10 s")
                time.sleep(0.002)
            latencies.append((time.perf_counter() - sent) * 1000)
            time.sleep(0.02)
    return latencies


def run(
    base_url: str,
    workdir: Path,
    *,
    acks: int,
    pushes: int,
    repeats: int = 3,
    log: Callable[[str], None] = print,
) -> WebhookBenchResult:
    """Ack latency at 200/s and push propagation, ``repeats`` times, each in a fresh world."""
    result = WebhookBenchResult(acks, pushes)
    receivers = _receivers(workdir / "webhooks.json")
    for i in range(repeats):
        with fresh_schema(base_url, prefix="hooks") as schema:
            url = with_schema(base_url, schema)
            engine = create_engine(url)
            metadata.create_all(engine)
            prepare_world(engine)
            with engine.connect() as conn:
                keys = [
                    (r.location_code, r.sku, r.lot)
                    for r in conn.execute(
                        sa.select(stock_levels.c.location_code, stock_levels.c.sku, stock_levels.c.lot)
                        .order_by(stock_levels.c.sku, stock_levels.c.location_code, stock_levels.c.lot)
                        .limit(500)
                    )
                ]
            with running_server(url, receivers) as base:
                ack = open_loop(base, _acks(f"r{i}", keys), rate=RATE, count=acks)
                with _worker(url, receivers):  # started after the burst: the ack never waits for it
                    drained = _drain(engine, acks - ack.errors)
                    push = _propagation(base, engine, keys, pushes)
            engine.dispose()
        result.ack_p50.append(ack.p50)
        result.ack_p99.append(ack.p99)
        result.push_p50.append(percentile(push, 50))
        result.push_p99.append(percentile(push, 99))
        result.drain_rate.append(drained)
        result.ack_errors.append(ack.errors)
        log(
            f"  webhooks run {i + 1}: ack at {RATE:.0f}/s p50 {ack.p50:.1f} ms p99 {ack.p99:.1f} ms "
            f"({ack.errors} failed); "
            f"push → visible p50 {result.push_p50[-1]:.0f} ms p99 {result.push_p99[-1]:.0f} ms; "
            f"worker drained the burst at {drained:,.0f} events/s"
        )
    return result
