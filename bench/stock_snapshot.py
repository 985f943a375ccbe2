"""Stock snapshot load: a WMS CSV of N rows into the canonical stock table on PostgreSQL.

Side by side, in the same run and on the same file:

- **limit** — ``psql \\copy`` of the file into an unindexed table (no parsing in Python, no
  validation, no merge): the physical floor for getting these bytes into PostgreSQL;
- **hub** — ``run_sync`` of the ``file-drop`` connector: read in chunks, map and validate
  every row (lookups, casts, checks), merge on the natural key through COPY + ON CONFLICT,
  commit rows, cursor and counters per batch.

Each runs ``repeats`` times into a fresh schema; the report gives min / median / max and
the ratio of the medians.
"""

from __future__ import annotations

import csv
import os
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from canonical_model.store.database import create_engine
from canonical_model.store.merge import merge_rows
from canonical_model.tables import locations, metadata, products
from flows.sync.engine import SyncRequest, run_sync

__all__ = ["StockBenchResult", "run"]

WAREHOUSES = ("WH-SH", "WH-GZ", "WH-CD", "WH-WH")
COLUMNS = ("warehouse_code", "sku", "lot", "on_hand", "in_transit", "expiry_date", "updated_at")


@dataclass
class StockBenchResult:
    rows: int
    limit_seconds: list[float]
    hub_seconds: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.hub_seconds) / statistics.median(self.limit_seconds)


def write_snapshot(folder: Path, rows: int, skus: int) -> Path:
    """A realistic WMS snapshot: warehouse × SKU × lot with quantities and dates."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "inv_BENCH_20261101.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(rows):
            writer.writerow(
                (
                    WAREHOUSES[i % 4],
                    f"SKU-{i // 4 % skus:06d}",
                    f"L{i // (4 * skus):05d}",
                    i % 997,
                    i % 13,
                    "2027-06-30",
                    "2026-11-01T08:00:00+08:00",
                )
            )
    os.utime(path, (time.time() - 60, time.time() - 60))
    return path


@contextmanager
def fresh_schema(base_url: str) -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def _with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def time_limit(base_url: str, path: Path) -> float:
    """psql \\copy into an unindexed table of the same columns."""
    with fresh_schema(base_url) as schema:
        url = sa.make_url(base_url)
        ddl = f"CREATE TABLE {schema}.raw ({', '.join(f'{c} text' for c in COLUMNS)})"
        args = [
            "psql",
            "-q",
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
            "-d",
            url.database or "test",
            "-v",
            "ON_ERROR_STOP=1",
        ]
        subprocess.run([*args, "-c", ddl], check=True)
        started = time.perf_counter()
        subprocess.run(
            [*args, "-c", f"\\copy {schema}.raw FROM '{path}' WITH (FORMAT csv, HEADER true)"], check=True
        )
        return time.perf_counter() - started


def time_hub(base_url: str, folder: Path, skus: int) -> float:
    """The hub's sync of the same file, after loading the reference data its mapping checks."""
    with fresh_schema(base_url) as schema:
        engine = create_engine(_with_schema(base_url, schema))
        metadata.create_all(engine)
        with engine.begin() as conn:
            merge_rows(
                conn, locations, [{"code": w, "name": w, "kind": "brand_warehouse"} for w in WAREHOUSES]
            )
            merge_rows(conn, products, [{"sku": f"SKU-{i:06d}", "name": f"bench {i}"} for i in range(skus)])
        started = time.perf_counter()
        result = run_sync(
            engine,
            SyncRequest(
                "file-drop", {"path": str(folder), "settle_seconds": 0}, streams=["stock"], trigger="bench"
            ),
        )
        elapsed = time.perf_counter() - started
        engine.dispose()
        [stream] = result.streams
        if stream.error or stream.loaded != stream.read:
            raise RuntimeError(f"hub run failed: {stream.error or stream}")
        return elapsed


def run(
    base_url: str, workdir: Path, *, rows: int, repeats: int = 3, log: Callable[[str], None] = print
) -> StockBenchResult:
    skus = max(1, min(5000, rows // 40))
    folder = workdir / "drop"
    path = write_snapshot(folder, rows, skus)
    result = StockBenchResult(rows, [], [])
    for i in range(repeats):
        result.limit_seconds.append(time_limit(base_url, path))
        result.hub_seconds.append(time_hub(base_url, folder, skus))
        log(
            f"  stock {rows:,} rows, run {i + 1}: limit {result.limit_seconds[-1]:.2f} s, "
            f"hub {result.hub_seconds[-1]:.2f} s"
        )
    return result
