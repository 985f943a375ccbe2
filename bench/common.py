"""What every benchmark shares: fresh PostgreSQL schemas, psql, timed child processes, statistics."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from canonical_model.store.database import create_engine

__all__ = [
    "REPO",
    "Measured",
    "fresh_schema",
    "percentile",
    "psql_args",
    "run_measured",
    "spread",
    "with_schema",
]

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def fresh_schema(base_url: str, prefix: str = "bench") -> Iterator[str]:
    """A new empty schema on the benchmark's PostgreSQL, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``search_path`` set to ``schema``."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def psql_args(base_url: str) -> list[str]:
    """``psql`` connecting where ``base_url`` points, stopping on the first error."""
    url = sa.make_url(base_url)
    args = ["psql", "-q", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    args += ["-U", url.username or "postgres", "-d", url.database or "test", "-v", "ON_ERROR_STOP=1"]
    return args


@dataclass(frozen=True)
class Measured:
    """A child process's wall time, peak resident memory, standard output and error."""

    seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str = ""


def run_measured(args: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path = REPO) -> Measured:
    """Run ``args`` to the end; its wall time and its own peak RSS (``wait4``: this child only)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            list(args),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if child.returncode != 0:
        sys.stderr.write(stderr[-4000:])
        raise RuntimeError(f"{' '.join(args[:4])} … exited with {child.returncode}")
    return Measured(seconds, usage.ru_maxrss / 1024, stdout, stderr)


def spread(values: Sequence[float], digits: int = 2) -> str:
    """``min / median / max``."""
    return " / ".join(f"{v:,.{digits}f}" for v in (min(values), statistics.median(values), max(values)))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0–100) of ``values``, nearest-rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
