"""The sync engine, end to end on both databases with the in-memory sample source."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.errors import ConfigError
from canonical_model.tables import quarantine, stock_levels, sync_run_streams, sync_runs
from flows.sync.engine import run_sync
from tests.flows.sync_helpers import API_KEY, expected_skus, loaded, quarantined, request, saved_state, source


def test_a_first_sync_loads_valid_rows_quarantines_the_rest_and_reconciles(engine: Engine) -> None:
    result = run_sync(engine, request(250, page_size=40), source=source())
    [stream] = result.streams
    assert result.status == "succeeded"
    assert stream.read == 250 and stream.batches == 7
    assert stream.rejected == sum(1 for i in range(1, 251) if i % 7 == 6)
    assert stream.reconciles and stream.loaded == stream.inserted
    with engine.connect() as conn:
        assert set(loaded(conn)) == expected_skus(250)
        assert quarantined(conn) == sorted(str(i) for i in range(1, 251) if i % 7 == 6)
        rule = conn.execute(sa.select(quarantine.c.rule).limit(1)).scalar()
        run = conn.execute(sa.select(sync_runs).where(sync_runs.c.run_id == result.run_id)).one()
    assert rule == "check:qty_six_is_a_known_bad_reading"
    assert (run.status, run.records_read, run.records_loaded, run.records_rejected) == (
        "succeeded",
        250,
        stream.loaded,
        stream.rejected,
    )


def test_an_incremental_rerun_reads_nothing_new(engine: Engine) -> None:
    run_sync(engine, request(120), source=source())
    again = run_sync(engine, request(120), source=source())
    assert again.streams[0].read == 0
    with engine.connect() as conn:
        assert len(quarantined(conn)) == sum(1 for i in range(1, 121) if i % 7 == 6)


def test_new_rows_sharing_the_boundary_cursor_value_are_not_lost(engine: Engine) -> None:
    # Items come in pairs with one updated_at; 101 ends the first sync half-way through a pair.
    run_sync(engine, request(101, page_size=10), source=source())
    with engine.connect() as conn:
        assert saved_state(conn)["boundary_keys"] == ["101"]  # type: ignore[index]
    second = run_sync(engine, request(150, page_size=7), source=source())
    assert second.streams[0].read == 49  # 102..150: 102 shares 101's cursor value and is still read
    with engine.connect() as conn:
        assert set(loaded(conn)) == expected_skus(150)


def test_full_refresh_soft_deletes_rows_the_snapshot_no_longer_has(engine: Engine) -> None:
    run_sync(engine, request(60), source=source())
    result = run_sync(engine, request(40, full_refresh=True), source=source())
    stream = result.streams[0]
    assert stream.read == 40 and stream.deleted == len(expected_skus(60) - expected_skus(40))
    with engine.connect() as conn:
        assert set(loaded(conn)) == expected_skus(40)
        deleted = conn.execute(
            sa.select(sa.func.count()).where(stock_levels.c.deleted_at.is_not(None))
        ).scalar()
        counted = conn.execute(
            sa.select(sync_run_streams.c.records_deleted).where(sync_run_streams.c.run_id == result.run_id)
        ).scalar()
    assert deleted == counted == stream.deleted


def test_an_unknown_stream_names_the_streams_there_are(engine: Engine) -> None:
    with pytest.raises(ConfigError, match="has no stream 'orders'; its streams: items"):
        run_sync(engine, request(5, streams=["orders"]), source=source())


def test_a_stream_error_fails_the_run_without_leaking_the_secret(engine: Engine) -> None:
    bad = request(5)
    bad = type(bad)(**{**bad.__dict__, "config": {"count": 5, "api_key": "wrong-" + API_KEY}})
    result = run_sync(engine, bad, source=source())
    assert result.status == "failed"
    assert result.error and API_KEY not in result.error
    with engine.connect() as conn:
        run = conn.execute(sa.select(sync_runs).where(sync_runs.c.run_id == result.run_id)).one()
    assert run.status == "failed" and API_KEY not in (run.error or "")
