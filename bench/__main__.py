"""``python -m bench [--quick]``: run the benchmarks and write bench/results.md."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import stock_snapshot

PG_URL = os.environ.get("DMSHUB_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RESULTS = Path(__file__).parent / "results.md"


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def _machine() -> list[str]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit or 'unknown'}",
        f"- machine: {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, {pg}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    args = parser.parse_args()
    rows = 20_000 if args.quick else 1_000_000
    print(f"stock snapshot: {rows:,} rows, 3 runs each side")
    with tempfile.TemporaryDirectory(prefix="dmshub-bench-") as folder:
        stock = stock_snapshot.run(PG_URL, Path(folder), rows=rows)
    lines = [
        "# Benchmark results",
        "",
        *_machine(),
        "",
        f"## Stock snapshot, {rows:,} rows (CSV → canonical stock table on PostgreSQL)",
        "",
        "| path | seconds min / median / max | rows/s (median) |",
        "|---|---|---:|",
        f"| limit: psql `\\copy` into an unindexed table | {_spread(stock.limit_seconds)} | "
        f"{rows / statistics.median(stock.limit_seconds):,.0f} |",
        f"| hub: `file-drop` sync (read, map, validate, merge) | {_spread(stock.hub_seconds)} | "
        f"{rows / statistics.median(stock.hub_seconds):,.0f} |",
        "",
        f"Ratio hub / limit (medians, same run): **{stock.ratio:.2f}×** (goal ≤ 2×).",
        "",
        "Peers (dlt, airbyte-cdk + executemany) are not measured yet.",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
