"""Crash safety: a sync killed with SIGKILL at random points resumes to exactly the rows of a
clean run — nothing lost, nothing doubled (rows, quarantine and cursor) — on PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from canonical_model.store.database import create_engine
from canonical_model.tables import metadata, quarantine, stock_levels, sync_run_streams, sync_runs, sync_state
from flows.sync.engine import run_sync
from tests.flows.sync_helpers import expected_skus, loaded, quarantined, request, saved_state, source

ROOT = Path(__file__).resolve().parents[2]
TRIALS = 20
COUNT, PAGE = 2000, 50  # 40 batches

CHILD = textwrap.dedent(
    """
    import sys
    from canonical_model.store.database import create_engine
    from flows.sync.engine import run_sync
    from tests.flows.sync_helpers import request, source

    def progress(outcome):
        print(f"committed {outcome.batches}", flush=True)

    run_sync(create_engine(sys.argv[1]), request(int(sys.argv[2]), page_size=int(sys.argv[3])),
             source=source(), progress=progress)
    print("done", flush=True)
    """
)


def _reset(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for t in (stock_levels, quarantine, sync_state, sync_run_streams, sync_runs):
            conn.execute(sa.delete(t))


def _kill_during_sync(url: str, rng: random.Random) -> str:
    """Start a sync in a child process and SIGKILL it after a random number of batches."""
    after_batches = rng.randrange(0, COUNT // PAGE)
    delay = rng.uniform(0, 0.02)  # lands anywhere inside the next batch, commit included
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(COUNT), str(PAGE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as child:
        assert child.stdout is not None
        seen = 0
        while seen < after_batches:
            line = child.stdout.readline()
            if not line or line.startswith("done"):
                break
            seen += 1
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    return f"killed after {seen} batches + {delay * 1000:.1f} ms"


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume_equals_an_uninterrupted_run(pg_schema_url: str) -> None:
    engine = create_engine(pg_schema_url)
    metadata.create_all(engine)
    rng = random.Random(20261122)
    expected_rejects = sorted(str(i) for i in range(1, COUNT + 1) if i % 7 == 6)
    clean: tuple[object, ...] | None = None
    outcomes = []
    for trial in range(TRIALS + 1):
        _reset(engine)
        if trial > 0:  # trial 0 is the uninterrupted reference run
            outcomes.append(_kill_during_sync(pg_schema_url, rng))
        run_sync(engine, request(COUNT, page_size=PAGE), source=source())
        with engine.connect() as conn:
            snapshot = (loaded(conn), quarantined(conn), saved_state(conn))
        if clean is None:
            clean = snapshot
            assert set(snapshot[0]) == expected_skus(COUNT)
            assert snapshot[1] == expected_rejects
            continue
        assert snapshot == clean, f"trial {trial} ({outcomes[-1]}) differs from the clean run"
    engine.dispose()
    assert len(outcomes) == TRIALS
    # The kill points really were spread over the sync, not all before or after it.
    assert len({o.split(" batches")[0] for o in outcomes}) >= 10
