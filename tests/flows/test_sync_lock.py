"""Two syncs of one stream never interleave.

In the engine (PostgreSQL) the second is refused while the first runs; in Prefect the
second flow run's stream task waits on the connector's concurrency limit instead.
"""

from __future__ import annotations

import contextvars
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.store.database import create_engine
from canonical_model.tables import metadata, sync_run_streams, sync_runs
from flows.sync.engine import run_sync
from flows.sync.locks import lock_key
from flows.sync.result import StreamResult
from tests.flows.sync_helpers import API_KEY, MAPPINGS, expected_skus, loaded, request, saved_state, source


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


@pytest.mark.usefixtures("prefect_harness")
def test_two_flow_runs_of_one_connector_wait_their_turn_and_leave_one_runs_state(
    pg_schema_url: str, pg_engine: Engine, tmp_path: Path
) -> None:
    """At the flow level the second sync is not refused but queued: ``connector:<name>`` is
    a Prefect concurrency limit of one, so while the slot is taken both runs' stream tasks
    wait (nothing is read), and afterwards they run one after the other."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.concurrency.sync import concurrency

    from flows.sync_flow import connector_tag, sync

    limit = f"tag:{connector_tag('sample')}"
    config = tmp_path / "sample.yaml"
    config.write_text(f"count: 500\npage_size: 50\napi_key: {API_KEY}\n", encoding="utf-8")
    states: list[Any] = []

    def run() -> None:
        states.append(
            sync(
                connector="sample",
                config_path=str(config),
                database_url=pg_schema_url,
                mapping_dirs=[str(MAPPINGS)],
                return_state=True,
            )
        )

    # Threads start with an empty context: each gets a copy of ours (the harness's API).
    runs = [threading.Thread(target=contextvars.copy_context().run, args=(run,)) for _ in range(2)]
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=limit, limit=1))
        try:
            with concurrency(limit, occupy=1):  # the connector's only slot is taken
                for thread in runs:
                    thread.start()
                _wait_for_waiting_stream_tasks(client, connector_tag("sample"), count=2)
                with pg_engine.connect() as conn:
                    assert conn.execute(sa.select(sa.func.count()).select_from(sync_runs)).scalar() == 0
            for thread in runs:
                thread.join(timeout=300)
        finally:
            client.delete_global_concurrency_limit_by_name(limit)
            _delete_artifacts_of(client, states)  # the session's harness is shared: leave no `sync-sample`

    assert [s.is_completed() for s in states] == [True, True]
    with pg_engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                sync_runs.c.status, sync_runs.c.error, sync_runs.c.started_at, sync_runs.c.finished_at
            ).order_by(sync_runs.c.started_at)
        ).all()
        assert [(r.status, r.error) for r in rows] == [("succeeded", None), ("succeeded", None)]
        assert rows[0].finished_at <= rows[1].started_at  # one after the other, never overlapping
        hub_rows, hub_state = loaded(conn), saved_state(conn)

    single = create_engine(f"sqlite:///{tmp_path}/single.sqlite")
    metadata.create_all(single)
    run_sync(single, request(500, page_size=50), source=source())
    with single.connect() as conn:
        assert hub_rows == loaded(conn)
        assert hub_state == saved_state(conn)
    single.dispose()


def _delete_artifacts_of(client: Any, states: list[Any]) -> None:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    runs = [s.state_details.flow_run_id for s in states]
    for artifact in client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=runs))
    ):
        client.delete_artifact(artifact.id)


def _wait_for_waiting_stream_tasks(client: Any, tag: str, *, count: int) -> None:
    """Until ``count`` task runs tagged ``tag`` are pending (created, waiting for the slot)."""
    from prefect.client.schemas.filters import (
        TaskRunFilter,
        TaskRunFilterState,
        TaskRunFilterStateType,
        TaskRunFilterTags,
    )
    from prefect.client.schemas.objects import StateType

    deadline = time.monotonic() + 120
    while True:
        pending = client.read_task_runs(
            task_run_filter=TaskRunFilter(
                tags=TaskRunFilterTags(all_=[tag]),
                state=TaskRunFilterState(type=TaskRunFilterStateType(any_=[StateType.PENDING])),
            )
        )
        if len(pending) >= count:
            return
        assert time.monotonic() < deadline, f"only {len(pending)} of {count} stream tasks reached the limit"
        time.sleep(0.5)
