"""``python -m bench [--quick]``: run every benchmark and write bench/results.md.

Full sizes are the issue's (1,000,000 stock rows, 50,000 orders of 5 lines…; under 30
minutes on 2 cores); ``--quick`` runs the same code at small sizes in about a minute.
Every figure is min / median / max over ``--repeats`` runs (3 by default), and each
ratio is between medians measured side by side in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import order_intake, scans, stock_snapshot, webhooks
from bench.common import spread

PG_URL = os.environ.get("DMSHUB_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RESULTS = Path(__file__).parent / "results.md"


@dataclass(frozen=True)
class Sizes:
    """How much work each benchmark does."""

    stock_rows: int
    straightforward_rows: int
    orders: int
    single_orders: int
    http_requests: int
    http_seconds: float
    acks: int
    pushes: int
    scan_bulk: int
    scan_seconds: float


FULL = Sizes(1_000_000, 100_000, 50_000, 1_000, 2_000, 10.0, 2_000, 200, 20_000, 5.0)
QUICK = Sizes(20_000, 5_000, 1_000, 100, 100, 1.0, 200, 10, 1_000, 1.0)


@dataclass(frozen=True)
class Goal:
    """One goal of issue 10: what, the measured median, whether it is met, and why not if not."""

    name: str
    measured: str
    met: bool
    why: str


def _machine() -> list[str]:
    def out(*args: str) -> str:
        return subprocess.run(list(args), capture_output=True, text=True, check=False).stdout.strip()

    commit = out("git", "rev-parse", "--short", "HEAD")
    dirty = (
        " (with uncommitted changes)" if out("git", "status", "--porcelain", "--untracked-files=no") else ""
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    server = out("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-Atc", "SHOW server_version")
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit {commit or 'unknown'}{dirty}",
        f"- machine: {os.cpu_count()} cores, {memory:.0f} GiB RAM, {platform.platform()}",
        f"- Python {platform.python_version()}; PostgreSQL server {server or '?'} "
        f"({out('psql', '--version')})",
        f"- load average at start {os.getloadavg()[0]:.1f}: the machine is shared, figures are noisy",
    ]


def _stock(r: stock_snapshot.StockBenchResult) -> tuple[list[str], list[Goal]]:
    rows = r.rows
    hub = r.median("hub")
    per_s = rows / hub

    def line(label: str, seconds: list[float], scale: float = 1.0) -> str:
        median = sorted(seconds)[len(seconds) // 2] * scale
        scaled = spread([s * scale for s in seconds])
        return f"| {label} | {scaled} | {rows / median:,.0f} | {median / hub:.2f}× |"

    extrapolated = rows / r.straightforward_rows
    lines = [
        f"## 1. Stock snapshot, {rows:,} rows: WMS CSV over SFTP → canonical `stock_levels` on PostgreSQL",
        "",
        "| path | seconds min / median / max | rows/s (median) | time ÷ hub |",
        "|---|---|---:|---:|",
        line("(a) limit: `psql \\copy` into an unindexed text table (local file)", r.limit),
        line("(d) **hub: `dmshub sync wms-sftp`** (SFTP read, map, validate, merge; command time)", r.hub),
        line("(d) hub, whole process (interpreter start-up and imports included)", r.hub_process),
        line("(b) dlt 1.x: Arrow batches, merge on the key, CSV/COPY loader (local file)", r.dlt)
        if r.dlt
        else "| (b) dlt | not run | | |",
        line(
            f"(c) airbyte-cdk records + SQLAlchemy executemany — measured on "
            f"{r.straightforward_rows:,} rows, scaled ×{extrapolated:g}",
            r.straightforward,
            extrapolated,
        ),
        "",
        f"Hub peak RSS (whole `dmshub` process, `wait4`): {spread(r.hub_rss_mb, 0)} MB.",
        "",
        f"(c) is too slow to run on every row three times; its rows/s on the first "
        f"{r.straightforward_rows:,} rows of the same file are taken as its rate on all of them "
        "(its per-row cost does not fall with size).",
        "The peers read the file from local disk, the hub over SFTP from a real OpenSSH `sshd` on loopback.",
        "",
        f"### 2. Incremental: the WMS's next file changes 1% of the rows ({r.delta_rows:,} rows)",
        "",
        "| path | seconds min / median / max | ÷ full sync |",
        "|---|---|---:|",
        f"| incremental `dmshub sync` (command time) | {spread(r.incremental, 3)} | "
        f"{r.median('incremental') / hub:.1%} |",
        f"| incremental, whole process | {spread(r.incremental_process, 3)} | "
        f"{r.median('incremental_process') / r.median('hub_process'):.1%} of the full process |",
        "",
        "What a WMS sends between snapshots is the changed lines (a delta file, `inv_*_0900.csv`); the "
        "wms-sftp state lists the snapshot as done, so only the new file is fetched, mapped and merged.",
        "",
    ]
    limit_ratio = hub / r.median("limit")
    goals = [
        Goal(
            "stock: hub ≤ 2× `COPY`",
            f"{limit_ratio:.1f}× ({per_s:,.0f} rows/s)",
            limit_ratio <= 2,
            "COPY moves text into an unindexed table; the hub also fetches the file over SFTP (paramiko), "
            "parses and validates every field in Python/pandas, hashes each row for "
            "change detection, and upserts into a table with a 3-column primary key and a secondary index "
            "(COPY into staging, UPDATE + INSERT). The PostgreSQL side of the merge alone is several "
            "times the bare COPY on this machine.",
        ),
    ]
    if r.dlt:
        dlt_ratio = r.median("dlt") / hub
        goals.append(
            Goal(
                "stock: hub ≥ 4× faster than dlt",
                f"{dlt_ratio:.2f}×",
                dlt_ratio >= 4,
                "dlt's Arrow path does no per-field validation or lookups and loads by COPY with a "
                "delete-insert merge; the hub's mapping and validation work is per row in Python.",
            )
        )
    naive_ratio = r.median("straightforward") / hub
    goals += [
        Goal(
            "stock: hub ≥ 20× faster than airbyte-cdk + executemany",
            f"{naive_ratio:.1f}×",
            naive_ratio >= 20,
            "psycopg 3 runs SQLAlchemy's executemany in pipeline mode, so the 'straightforward' path is "
            "far faster than the 1–3k rows/s published for Airbyte DB sources.",
        ),
        Goal(
            "stock: peak memory ≤ 400 MB",
            f"{max(r.hub_rss_mb):.0f} MB (max)",
            max(r.hub_rss_mb) <= 400,
            "a batch of 50,000 rows as pandas frames plus the imported libraries.",
        ),
        Goal(
            "stock: incremental ≤ 5% of the full sync",
            f"{r.median('incremental') / hub:.1%}",
            r.median("incremental") / hub <= 0.05,
            "the fixed cost of a run (SSH login, listing, mapping compile, reference data) dominates a "
            "small file.",
        ),
    ]
    return lines, goals


def _orders(r: order_intake.OrderBenchResult) -> tuple[list[str], list[Goal]]:
    speedup = r.median("batch") / r.median("single")
    lines = [
        f"## 3. Order intake: {r.orders:,} orders × 5 lines on PostgreSQL "
        "(price, validate, allocate, persist)",
        "",
        "| path | orders/s min / median / max |",
        "|---|---|",
        f"| before: `place_order` per order, one transaction each ({r.single_orders:,} orders) | "
        f"{spread(r.single, 0)} |",
        f"| after: `place_orders` batch API, 500 orders a transaction ({r.orders:,} orders) | "
        f"{spread(r.batch, 0)} |",
        "",
        f"Speed-up after / before (medians, same run): **{speedup:.1f}×**. Every order ends `allocated` "
        "(stock reserved, outbox message written) and the reservation invariant holds afterwards.",
        "",
        f"Over HTTP (`POST /orders`, uvicorn on loopback, one worker), {r.http_requests:,} requests at "
        f"{order_intake.RATE:.0f}/s, open loop:",
        "",
        "| figure | min / median / max |",
        "|---|---|",
        f"| p50 latency of all requests (shed ones included), ms | {spread(r.http_p50, 1)} |",
        f"| p99 latency of all requests, ms | {spread(r.http_p99, 1)} |",
        f"| requests shed (503 past the server's concurrency limit) or timed out | "
        f"{spread([float(e) for e in r.http_errors], 0)} |",
        f"| maximum sustained rate (8 clients back to back), orders/s | {spread(r.http_max_rate, 0)} |",
        f"| p99 latency at that rate, ms | {spread(r.http_max_p99, 0)} |",
        "",
    ]
    goals = [
        Goal(
            "orders: ≥ 3,000 orders/s in one process",
            f"{r.median('batch'):,.0f}/s",
            r.median("batch") >= 3000,
            "each order still runs the whole pipeline in Python (pricing with promotions, ~10 validation "
            "checks, FEFO allocation, the order document and the stored validation/pricing JSON) — about "
            "1.5 ms of CPU per order before any SQL — and the bulk writes of ~20 rows per order share the "
            "2 cores with PostgreSQL.",
        ),
        Goal(
            "orders over HTTP: p99 ≤ 25 ms at 200/s",
            f"{r.median('http_p99'):.0f} ms",
            r.median("http_p99") <= 25 and not any(r.http_errors),
            "the API places each request with `place_order` (one transaction of ~12 statements); its "
            "maximum sustained rate on this machine is below 200/s, so at 200/s the queue grows and "
            "the server sheds what exceeds its concurrency limit (see the notes).",
        ),
    ]
    return lines, goals


def _webhooks(r: webhooks.WebhookBenchResult) -> tuple[list[str], list[Goal]]:
    lines = [
        "## 4. Webhook acknowledgement and stock propagation",
        "",
        "| figure | min / median / max |",
        "|---|---|",
        f"| ack p50 at {webhooks.RATE:.0f}/s ({r.acks:,} signed deliveries), ms | {spread(r.ack_p50, 1)} |",
        f"| ack p99 at {webhooks.RATE:.0f}/s, ms | {spread(r.ack_p99, 1)} |",
        f"| deliveries not acknowledged (shed or timed out) | {spread([float(e) for e in r.ack_errors], 0)} "
        "|",
        f"| stock push → visible to order validation, p50 ms ({r.pushes} pushes) | {spread(r.push_p50, 0)} |",
        f"| stock push → visible to order validation, p99 ms | {spread(r.push_p99, 0)} |",
        f"| inbox worker drain rate after the burst, events/s | {spread(r.drain_rate, 0)} |",
        "",
        "Push path: WMS → `POST /webhooks/wms-stock` (webhook-hmac, HMAC-SHA256 + timestamp) → inbox "
        "(acknowledged) → always-on inbox worker (`process_inbox` in a loop, 10 ms idle poll) → merge into "
        "`stock_levels` → visible to `lock_stock`, the query order allocation reads. A worker run by a "
        "schedule instead would add its interval.",
        "",
    ]
    goals = [
        Goal(
            "webhook ack p99 ≤ 50 ms at 200/s",
            f"{r.median('ack_p99'):.0f} ms",
            r.median("ack_p99") <= 50 and not any(r.ack_errors),
            "the machine's two cores are shared with the load generator and PostgreSQL.",
        ),
        Goal(
            "stock push visible to order validation ≤ 200 ms p99",
            f"{r.median('push_p99'):.0f} ms",
            r.median("push_p99") <= 200,
            "worker poll interval plus one transaction per event.",
        ),
    ]
    return lines, goals


def _scans(r: scans.ScanBenchResult) -> tuple[list[str], list[Goal]]:
    lines = [
        "## 5. Scan verification (dms_core.tracing)",
        "",
        "| figure | min / median / max |",
        "|---|---|",
        f"| bulk: one `verify_scans` of {r.bulk:,} scans, scans/s | {spread(r.bulk_rate, 0)} |",
        f"| single scan over HTTP (`POST /scans`, one client), p50 ms | {spread(r.single_p50, 1)} |",
        f"| single scan over HTTP, p99 ms | {spread(r.single_p99, 1)} |",
        f"| single scans per second (one client) | {spread(r.single_rate, 0)} |",
        "",
    ]
    goals = [
        Goal(
            "scans: ≥ 20,000 scans/s in bulk",
            f"{r.median('bulk_rate'):,.0f}/s",
            r.median("bulk_rate") >= 20_000,
            "dms_core.tracing is another helper's module, measured here as it stands.",
        ),
        Goal(
            "scans: single scan p99 ≤ 5 ms over HTTP",
            f"{r.median('single_p99'):.1f} ms",
            r.median("single_p99") <= 5,
            "a single scan is a transaction of several statements (event, projection, alert checks) "
            "behind FastAPI's sync dependency threads on a shared 2-core machine.",
        ),
    ]
    return lines, goals


def main() -> int:
    """Run, then write the report."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the report")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    machine = _machine()
    with tempfile.TemporaryDirectory(prefix="dmshub-bench-") as folder:
        print(f"stock snapshot: {sizes.stock_rows:,} rows, {args.repeats} runs")
        stock = stock_snapshot.run(
            PG_URL,
            Path(folder),
            rows=sizes.stock_rows,
            repeats=args.repeats,
            straightforward_rows=sizes.straightforward_rows,
        )
        print(f"order intake: {sizes.orders:,} orders, {args.repeats} runs")
        orders = order_intake.run(
            PG_URL,
            orders=sizes.orders,
            single_orders=sizes.single_orders,
            http_requests=sizes.http_requests,
            http_seconds=sizes.http_seconds,
            repeats=args.repeats,
        )
        print(f"webhooks: {sizes.acks:,} deliveries, {sizes.pushes} pushes, {args.repeats} runs")
        hooks = webhooks.run(PG_URL, Path(folder), acks=sizes.acks, pushes=sizes.pushes, repeats=args.repeats)
        print(
            f"scans: {sizes.scan_bulk:,} in bulk, singles for {sizes.scan_seconds:g} s, {args.repeats} runs"
        )
        scan = scans.run(PG_URL, bulk=sizes.scan_bulk, seconds=sizes.scan_seconds, repeats=args.repeats)
    sections: list[str] = []
    goals: list[Goal] = []
    for part_lines, part_goals in (_stock(stock), _orders(orders), _webhooks(hooks), _scans(scan)):
        sections += part_lines
        goals += part_goals
    elapsed = time.perf_counter() - started
    report = [
        "# Benchmark results" + (" (quick sizes)" if args.quick else ""),
        "",
        *machine,
        f"- `python -m bench{' --quick' if args.quick else ''}`: {args.repeats} runs per figure, "
        f"{elapsed / 60:.1f} minutes in all",
        "",
        *sections,
        "## Goals (medians of this run)",
        "",
        "| goal | measured | met |",
        "|---|---|---|",
        *(f"| {g.name} | {g.measured} | {'yes' if g.met else '**no**'} |" for g in goals),
        "",
        *(f"- **{g.name}** missed: {g.why}" for g in goals if not g.met),
        "",
    ]
    notes = Path(__file__).parent / "notes.md"
    if notes.exists():
        report += [notes.read_text(encoding="utf-8").rstrip(), ""]
    args.output.write_text("\n".join(report), encoding="utf-8")
    print(f"wrote {args.output} in {elapsed / 60:.1f} minutes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
