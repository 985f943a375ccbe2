"""Two syncs of one stream never interleave: on PostgreSQL the second is refused while the first runs."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import sync_run_streams
from flows.sync.engine import run_sync
from flows.sync.locks import lock_key
from flows.sync.result import StreamResult
from tests.flows.sync_helpers import expected_skus, loaded, request, source


def test_a_second_sync_of_a_running_stream_is_refused_and_state_stays_whole(pg_engine: Engine) -> None:
    first_is_running, let_first_finish = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def slow_progress(result: StreamResult) -> None:
        if result.batches == 2:
            first_is_running.set()
            let_first_finish.wait(timeout=60)

    def first() -> None:
        outcome["first"] = run_sync(
            pg_engine, request(500, page_size=50), source=source(), progress=slow_progress
        )

    worker = threading.Thread(target=first)
    worker.start()
    assert first_is_running.wait(timeout=60)
    second = run_sync(pg_engine, request(500, page_size=50), source=source())
    let_first_finish.set()
    worker.join(timeout=120)

    assert second.status == "failed"
    assert (
        second.streams[0].error is not None
        and "another sync of sample/items is running" in second.streams[0].error
    )
    assert second.streams[0].read == 0
    first_result = outcome["first"]
    assert getattr(first_result, "status", None) == "succeeded"
    with pg_engine.connect() as conn:
        assert set(loaded(conn)) == expected_skus(500)
        errors = conn.execute(
            sa.select(sync_run_streams.c.error).where(sync_run_streams.c.error.is_not(None))
        )
        assert [e for (e,) in errors] == [second.streams[0].error]


def test_the_lock_is_released_when_a_sync_ends(pg_engine: Engine) -> None:
    run_sync(pg_engine, request(20), source=source())
    with pg_engine.connect() as conn:
        got = conn.execute(
            sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key("sample", "items")}
        ).scalar()
        conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key("sample", "items")})
    assert got is True
