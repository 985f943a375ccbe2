"""A tiny run of each benchmark so the scripts cannot rot (no timing is asserted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import stock_snapshot
from tests.conftest import PG_URL, require_postgresql


def test_the_stock_snapshot_benchmark_runs_both_sides(tmp_path: Path) -> None:
    require_postgresql()
    if shutil.which("psql") is None:
        pytest.fail("psql is needed for the benchmark's physical-limit side")
    result = stock_snapshot.run(PG_URL, tmp_path, rows=400, repeats=1, log=lambda line: None)
    assert len(result.limit_seconds) == len(result.hub_seconds) == 1
    assert result.ratio > 0
