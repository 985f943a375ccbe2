"""Stock snapshot: a WMS inventory CSV of N rows, served over SFTP, into the canonical stock table.

Side by side, in the same run and on the same file (each side into a fresh schema):

- **limit** — ``psql \\copy`` of the file into an unindexed table of text columns: no parsing
  in Python, no validation, no merge. The floor for getting these bytes into PostgreSQL.
- **hub** — ``dmshub sync wms-sftp --streams inventory`` as its own process: the file is
  fetched from a real OpenSSH sshd on loopback, mapped and validated (lookups of warehouse
  and SKU, casts, checks, time zones), merged on (location, SKU, lot) through COPY + ON
  CONFLICT, with cursor and counters committed per batch. Its peak RSS is measured (``wait4``).
- **incremental** — after it, the WMS drops a *delta* file with 1% of the rows changed (what a
  WMS sends between snapshots: the changed lines only); ``dmshub sync`` again reads just that
  file, because the wms-sftp state records the snapshot as done.
- **dlt** — ``dlt`` (its own venv, ``bench/peers``) loading the same file as Arrow tables with
  ``write_disposition="merge"`` on the same key, through its CSV/COPY loader.
- **straightforward** — airbyte-cdk record messages (serialised and parsed as between an
  Airbyte source and destination) + SQLAlchemy ``executemany`` of ``INSERT … ON CONFLICT``.
  Slow, so it runs on a subset of the file and its rows/s are extrapolated (said in results).

The peers read the file from local disk (no SFTP): that favours them.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import REPO, fresh_schema, psql_args, run_measured, with_schema
from bench.peers_venv import peers_python
from canonical_model.store.database import create_engine
from canonical_model.store.merge import merge_rows
from canonical_model.store.migrations import upgrade
from canonical_model.tables import locations, products
from tests.connectors.sshd import SshdServer, running_sshd

__all__ = ["StockBenchResult", "run", "write_delta", "write_snapshot"]

WAREHOUSES = ("WH-SH", "WH-GZ", "WH-CD", "WH-WH")
COLUMNS = ("warehouse_code", "sku", "lot", "on_hand", "in_transit", "expiry_date", "updated_at")
SNAPSHOT = "inv_BENCH_20261101_0800.csv"
DELTA = "inv_BENCH_20261101_0900.csv"
DMSHUB = [sys.executable, "-m", "bench.hub_cli"]


@dataclass
class StockBenchResult:
    """Seconds per run of every side (one entry per repeat), and what was measured on what."""

    rows: int
    delta_rows: int
    straightforward_rows: int
    limit: list[float] = field(default_factory=list)
    hub: list[float] = field(default_factory=list)
    hub_process: list[float] = field(default_factory=list)
    hub_rss_mb: list[float] = field(default_factory=list)
    incremental: list[float] = field(default_factory=list)
    incremental_process: list[float] = field(default_factory=list)
    dlt: list[float] = field(default_factory=list)
    straightforward: list[float] = field(default_factory=list)

    def median(self, side: str) -> float:
        """Median seconds of ``side`` (for the straightforward path: extrapolated to all rows)."""
        values: list[float] = getattr(self, side)
        scale = self.rows / self.straightforward_rows if side == "straightforward" else 1.0
        return statistics.median(values) * scale


def _row(i: int, skus: int) -> tuple[Any, ...]:
    return (
        WAREHOUSES[i % 4],
        f"SKU-{i // 4 % skus:06d}",
        f"L{i // (4 * skus):05d}",
        i % 997,
        i % 13,
        "2027-06-30",
        "2026-11-01T08:00:00+08:00",
    )


def write_snapshot(path: Path, rows: int, skus: int) -> None:
    """A realistic WMS snapshot: warehouse × SKU × lot with quantities and dates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(_row(i, skus) for i in range(rows))
    os.utime(path, (time.time() - 120, time.time() - 120))


def write_delta(path: Path, rows: int, skus: int) -> int:
    """The WMS's next file: every 100th row of the snapshot with new quantities (1%); how many."""
    changed = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(0, rows, 100):
            row = list(_row(i, skus))
            row[3], row[4], row[6] = int(row[3]) + 5, 0, "2026-11-01T09:00:00+08:00"
            writer.writerow(row)
            changed += 1
    os.utime(path, (time.time() - 60, time.time() - 60))
    return changed


def time_limit(base_url: str, path: Path) -> float:
    """psql \\copy into an unindexed table of the same columns."""
    with fresh_schema(base_url) as schema:
        psql = psql_args(base_url)
        ddl = f"CREATE TABLE {schema}.raw ({', '.join(f'{c} text' for c in COLUMNS)})"
        subprocess.run([*psql, "-c", ddl], check=True)
        copy = f"\\copy {schema}.raw FROM '{path}' WITH (FORMAT csv, HEADER true)"
        started = time.perf_counter()
        subprocess.run([*psql, "-c", copy], check=True)
        return time.perf_counter() - started


def _hub_config(server: SshdServer, out_dir: Path, target: Path) -> Path:
    config = {
        "mode": "sftp",
        "host": server.host,
        "port": server.port,
        "username": server.user,
        "private_key": server.client_private_key,
        "known_hosts": server.known_hosts,
        "out_dir": str(out_dir),
        "archive_dir": None,  # every repeat reads the same files again
        "settle_seconds": 0,
    }
    target.write_text(json.dumps(config), encoding="utf-8")
    return target


def _prepare_store(url: str, skus: int) -> None:
    """A migrated store with the warehouses and SKUs the mapping looks up."""
    engine = create_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        merge_rows(conn, locations, [{"code": w, "name": w, "kind": "brand_warehouse"} for w in WAREHOUSES])
        merge_rows(conn, products, [{"sku": f"SKU-{i:06d}", "name": f"bench {i}"} for i in range(skus)])
    engine.dispose()


@dataclass(frozen=True)
class HubRun:
    """One ``dmshub sync``: the command's seconds, the whole process's seconds and peak RSS."""

    seconds: float
    process_seconds: float
    peak_rss_mb: float


def hub_sync(url: str, config: Path, expect: int) -> HubRun:
    """One ``dmshub sync`` of the inventory stream; fails unless exactly ``expect`` rows loaded."""
    args = ["--database-url", url, "sync", "wms-sftp", "-c", str(config), "--streams", "inventory", "--json"]
    measured = run_measured([*DMSHUB, *args], env={"PYTHONPATH": str(REPO)})
    [stream] = json.loads(measured.stdout)["streams"]
    if stream["error"] or stream["loaded"] != expect or stream["read"] != expect:
        raise RuntimeError(f"hub sync loaded {stream['loaded']} of {expect}: {stream['error']}")
    [seconds] = [
        float(line.split()[1]) for line in measured.stderr.splitlines() if line.startswith("bench-seconds")
    ]
    return HubRun(seconds, measured.seconds, measured.peak_rss_mb)


def time_dlt(base_url: str, path: Path, python: Path, workdir: Path) -> float:
    """dlt's merge load of the file, timed inside its process (its import time excluded)."""
    with fresh_schema(base_url, prefix="dlt") as schema:
        script = REPO / "bench" / "peers" / "dlt_stock.py"
        measured = run_measured([str(python), str(script), str(path), base_url, schema, str(workdir)])
        admin = create_engine(base_url)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema}_staging CASCADE")
        admin.dispose()
        return float(json.loads(measured.stdout.strip().splitlines()[-1])["seconds"])


def time_straightforward(base_url: str, path: Path, rows: int) -> float:
    """airbyte-cdk records + SQLAlchemy executemany of the first ``rows`` rows of the file."""
    with fresh_schema(base_url, prefix="naive") as schema:
        script = REPO / "bench" / "peers" / "airbyte_executemany.py"
        measured = run_measured(
            [sys.executable, str(script), str(path), with_schema(base_url, schema), str(rows)]
        )
        return float(json.loads(measured.stdout.strip().splitlines()[-1])["seconds"])


def _summary(result: StockBenchResult, subset: int) -> str:
    dlt = f"dlt {result.dlt[-1]:.2f} s" if result.dlt else "dlt not run"
    naive = (
        f"executemany {subset:,} rows {result.straightforward[-1]:.2f} s" if result.straightforward else ""
    )
    return (
        f"limit {result.limit[-1]:.2f} s, hub {result.hub[-1]:.2f} s ({result.hub_rss_mb[-1]:.0f} MB), "
        f"incremental {result.incremental[-1]:.2f} s, {dlt}, {naive}"
    )


def run(
    base_url: str,
    workdir: Path,
    *,
    rows: int,
    repeats: int = 3,
    straightforward_rows: int = 100_000,
    peers: bool = True,
    log: Callable[[str], None] = print,
) -> StockBenchResult:
    """Every side ``repeats`` times, interleaved, on one generated snapshot."""
    skus = max(1, min(5000, rows // 40))
    out_dir = workdir / "sftp" / "out"
    snapshot = out_dir / SNAPSHOT
    write_snapshot(snapshot, rows, skus)
    subset = min(rows, straightforward_rows)
    result = StockBenchResult(rows, 0, subset)
    python = peers_python(log) if peers else None
    with ExitStack() as stack:
        server = stack.enter_context(running_sshd(workdir / "sshd"))
        config = _hub_config(server, out_dir, workdir / "wms-sftp.json")
        for i in range(repeats):
            (out_dir / DELTA).unlink(missing_ok=True)
            result.limit.append(time_limit(base_url, snapshot))
            with fresh_schema(base_url, prefix="hub") as schema:
                url = with_schema(base_url, schema)
                _prepare_store(url, skus)
                full = hub_sync(url, config, rows)
                result.hub.append(full.seconds)
                result.hub_process.append(full.process_seconds)
                result.hub_rss_mb.append(full.peak_rss_mb)
                result.delta_rows = write_delta(out_dir / DELTA, rows, skus)
                delta = hub_sync(url, config, result.delta_rows)
                result.incremental.append(delta.seconds)
                result.incremental_process.append(delta.process_seconds)
            (out_dir / DELTA).unlink()
            if python is not None:
                result.dlt.append(time_dlt(base_url, snapshot, python, workdir / "dlt"))
            if subset:
                result.straightforward.append(time_straightforward(base_url, snapshot, subset))
            log(f"  stock {rows:,} rows, run {i + 1}: " + _summary(result, subset))
    return result
