"""A tiny run of each benchmark so the scripts cannot rot (no timing is asserted).

The dlt side needs the peers' own venv (bench/peers/.venv, installed from the package
index): it runs here when that venv is already built, and is skipped otherwise so the
suite stays fast and offline-capable; ``python -m bench`` builds it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import __main__ as report
from bench import order_intake, scans, stock_snapshot, webhooks
from bench.peers_venv import peers_ready
from tests.conftest import PG_URL, require_postgresql
from tests.connectors.sshd import require_sshd


def test_the_stock_snapshot_benchmark_runs_every_side(tmp_path: Path) -> None:
    require_postgresql()
    require_sshd()
    if shutil.which("psql") is None:
        pytest.fail("psql is needed for the benchmark's physical-limit side")
    peers = peers_ready()
    result = stock_snapshot.run(
        PG_URL, tmp_path, rows=400, repeats=1, straightforward_rows=100, peers=peers, log=lambda line: None
    )
    assert len(result.limit) == len(result.hub) == len(result.incremental) == len(result.straightforward) == 1
    assert result.delta_rows == 4  # every 100th row of 400
    assert len(result.dlt) == (1 if peers else 0)
    assert result.hub_rss_mb[0] > 0
    lines, goals = report._stock(result)
    assert any("dmshub sync wms-sftp" in line for line in lines)
    assert {g.name for g in goals} >= {"stock: hub ≤ 2× `COPY`", "stock: incremental ≤ 5% of the full sync"}


def test_the_order_intake_benchmark_places_orders_both_ways_and_over_http() -> None:
    require_postgresql()
    result = order_intake.run(
        PG_URL, orders=20, single_orders=5, http_requests=10, http_seconds=0.5, repeats=1, log=lambda _: None
    )
    assert len(result.single) == len(result.batch) == len(result.http_p99) == 1
    assert 0 <= result.http_errors[0] <= 10  # an overloaded server sheds requests: counted, not fatal
    lines, goals = report._orders(result)
    assert any("place_orders" in line for line in lines)
    assert any(g.name.startswith("orders over HTTP") for g in goals)


def test_the_webhook_benchmark_acknowledges_and_propagates_stock(tmp_path: Path) -> None:
    require_postgresql()
    result = webhooks.run(PG_URL, tmp_path, acks=10, pushes=2, repeats=1, log=lambda line: None)
    assert (
        len(result.ack_p99) == len(result.push_p99) == len(result.drain_rate) == len(result.ack_errors) == 1
    )
    lines, goals = report._webhooks(result)
    assert any("push" in line for line in lines)
    assert len(goals) == 2


def test_the_scan_benchmark_verifies_in_bulk_and_over_http() -> None:
    require_postgresql()
    result = scans.run(PG_URL, bulk=200, seconds=0.3, repeats=1, log=lambda line: None)
    assert len(result.bulk_rate) == len(result.single_p99) == 1
    assert result.single_errors == [0]
    lines, goals = report._scans(result)
    assert any("verify_scans" in line for line in lines)
    assert len(goals) == 2
