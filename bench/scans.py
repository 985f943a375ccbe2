"""Scan verification: terminal scans checked against the codes' histories (``dms_core.tracing``).

World (fresh schema per run): a product of line LM, two level-1 dealers with LM territories
(广州, 杭州), and ``bulk + singles`` item codes commissioned and shipped to the 广州 dealer.
Scans: half retail sales, half inspections, in 广州 — every 100th in 杭州, a diversion that
raises an alert with its evidence chain.

- **bulk** — one ``verify_scans`` call of ``bulk`` scans in one transaction (what
  ``POST /scans/bulk`` runs), scans/s;
- **single over HTTP** — ``POST /scans`` with a brand key, one scan per request, one client
  sending back to back on loopback (uvicorn subprocess): p50 / p99 latency of a single scan
  with nothing queued in front of it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from bench.common import fresh_schema, with_schema
from bench.http_load import RequestSpec, closed_loop, json_body, running_server
from canonical_model.identifiers import gtin_check_digit, sgtin_urn
from canonical_model.store.database import create_engine
from canonical_model.store.hierarchy import refresh_dealer_closure
from canonical_model.tables import authorizations, dealers, metadata, product_lines, products
from dms_core.api import create_api_key
from dms_core.tracing import CodeLine, Scan, commission, ship, verify_scans

__all__ = ["ScanBenchResult", "run"]

GTIN = "0692345600001" + gtin_check_digit("0692345600001")
T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
HOME, AWAY = "440106", "330106"  # 广州天河 (the dealer's territory), 杭州西湖 (another's)
SINGLES = 2_000  # codes kept for the single scans (at most this many are sent)


@dataclass
class ScanBenchResult:
    """Per repeat: bulk scans/s; single-scan HTTP latency p50/p99 (ms), rate and failures."""

    bulk: int
    seconds: float
    bulk_rate: list[float] = field(default_factory=list)
    single_p50: list[float] = field(default_factory=list)
    single_p99: list[float] = field(default_factory=list)
    single_rate: list[float] = field(default_factory=list)
    single_errors: list[int] = field(default_factory=list)

    def median(self, side: str) -> float:
        """Median of one list."""
        values: list[float] = getattr(self, side)
        return statistics.median(values)


def _item(n: int) -> str:
    return sgtin_urn(GTIN, f"S{n:07d}")


def _world(engine: sa.Engine, codes: int) -> None:
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            dealers.insert(),
            [
                {
                    "code": c,
                    "name": c,
                    "level": lv,
                    "parent_code": p,
                    "region_code": r,
                    "credit_limit": Decimal(1),
                }
                for c, lv, p, r in (
                    ("BRAND", 0, None, "310104"),
                    ("DA", 2, "BRAND", HOME),
                    ("DB", 2, "BRAND", AWAY),
                )
            ],
        )
        refresh_dealer_closure(conn)
        conn.execute(product_lines.insert(), [{"code": "LM", "name": "Liquid milk"}])
        conn.execute(
            products.insert(),
            [{"sku": "MILK", "gtin": GTIN, "name": "Milk", "product_line_code": "LM", "case_pack": 6}],
        )
        conn.execute(
            authorizations.insert(),
            [
                {
                    "dealer_code": c,
                    "scope_type": "product_line",
                    "scope_code": "LM",
                    "region_code": r,
                    "valid_from": date(2026, 1, 1),
                    "valid_until": date(2026, 12, 31),
                }
                for c, r in (("DA", HOME[:4] + "00"), ("DB", AWAY[:4] + "00"))
            ],
        )
    for start in range(0, codes, 5000):
        with engine.begin() as conn:
            batch = [_item(n) for n in range(start, min(codes, start + 5000))]
            commission(
                conn, [CodeLine(c, f"L{start // 5000}", date(2027, 5, 1)) for c in batch], event_time=T0
            )
            for s in range(0, len(batch), 1000):
                ship(
                    conn,
                    batch[s : s + 1000],
                    dealer_code="DA",
                    order_no=f"SO-{start + s}",
                    event_time=T0 + timedelta(hours=2),
                )


def _scan(n: int, k: int) -> Scan:
    return Scan(
        _item(n),
        "retail_selling" if k % 2 else "inspecting",
        T0 + timedelta(days=3, seconds=k),
        region_code=AWAY if k % 100 == 7 else HOME,
        terminal=f"T{k % 50}",
    )


def _single(offset: int, key: str) -> Callable[[int], RequestSpec]:
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}

    def build(k: int) -> RequestSpec:
        scan = _scan(offset + k % SINGLES, k)
        body = {
            "code": scan.code,
            "biz_step": scan.biz_step,
            "event_time": scan.event_time.isoformat() if scan.event_time else None,
            "region_code": scan.region_code,
            "terminal": scan.terminal,
        }
        return "POST", "/scans", headers, json_body(body)

    return build


def run(
    base_url: str, *, bulk: int, seconds: float, repeats: int = 3, log: Callable[[str], None] = print
) -> ScanBenchResult:
    """Bulk and single scans (``seconds`` of them), ``repeats`` times, each in a fresh world."""
    result = ScanBenchResult(bulk, seconds)
    for i in range(repeats):
        with fresh_schema(base_url, prefix="scans") as schema:
            url = with_schema(base_url, schema)
            engine = create_engine(url)
            _world(engine, bulk + 2 * SINGLES)
            scans = [_scan(n, n) for n in range(bulk)]
            started = time.perf_counter()
            with engine.begin() as conn:
                results = verify_scans(conn, scans, now=T0 + timedelta(days=30))
            result.bulk_rate.append(bulk / (time.perf_counter() - started))
            expected = sum(1 for k in range(bulk) if k % 100 == 7)
            if sum(r.verdict == "suspect" for r in results) < expected:
                raise RuntimeError("the diverted scans were not all found")
            with engine.begin() as conn:
                key = create_api_key(conn, role="brand_admin", label="bench")
            with running_server(url) as base:
                closed_loop(base, _single(bulk + SINGLES, key), concurrency=1, seconds=1.0)  # warm-up
                steady = closed_loop(base, _single(bulk, key), concurrency=1, seconds=seconds)
            engine.dispose()
        result.single_p50.append(steady.p50)
        result.single_p99.append(steady.p99)
        result.single_rate.append(steady.rate)
        result.single_errors.append(steady.errors)
        log(
            f"  scans run {i + 1}: bulk {result.bulk_rate[-1]:,.0f} scans/s; single over HTTP "
            f"p50 {steady.p50:.1f} ms p99 {steady.p99:.1f} ms ({steady.rate:,.0f}/s, {steady.errors} failed)"
        )
    return result
