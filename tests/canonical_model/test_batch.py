"""One batch commits rows, rejects, cursor and counters together, or none of them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.errors import ConfigError, StoreError, ValidationError
from canonical_model.store.batch import (
    BatchCommit,
    QuarantineRow,
    add_stream_counts,
    commit_batch,
    finish_run,
    load_all_states,
    load_state,
    start_run,
)
from canonical_model.store.merge import soft_delete_missing
from canonical_model.tables import quarantine, stock_levels, sync_run_streams, sync_runs, sync_state

CONNECTOR = "wms-sftp"


def _stock(sku: str, on_hand: str = "10") -> dict[str, Any]:
    return {
        "location_code": "WH-SH",
        "sku": sku,
        "lot": "",
        "on_hand": Decimal(on_hand),
        "reserved": Decimal(0),
        "in_transit": Decimal(0),
        "expiry_date": date(2026, 1, 1),
        "as_of": datetime(2025, 3, 1, tzinfo=UTC),
    }


def _reject(line: int, rule: str = "required:sku") -> QuarantineRow:
    raw = {"sku": None, "qty": Decimal("1.50"), "seen": datetime(2025, 3, 1, tzinfo=UTC), "blob": b"\x00\xff"}
    return QuarantineRow(CONNECTOR, "stock", rule, "sku is missing", raw, source_offset=f"stock.csv:{line}")


def _batch(
    run_id: str,
    rows: list[dict[str, Any]],
    rejects: list[QuarantineRow],
    state: dict[str, Any] | None,
    **kw: Any,
) -> BatchCommit:
    return BatchCommit(
        CONNECTOR,
        "stock",
        run_id,
        stock_levels,
        rows,
        rejects,
        state,
        records_read=len(rows) + len(rejects),
        **kw,
    )


def _count(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_a_batch_commits_rows_rejects_cursor_and_counters_together(engine: Engine) -> None:
    run_id = start_run(engine, connector=CONNECTOR, mode="incremental", trigger="test")
    result = commit_batch(engine, _batch(run_id, [_stock("A"), _stock("B")], [_reject(3)], {"offset": 4}))
    assert (result.inserted, result.updated, result.unchanged) == (2, 0, 0)
    with engine.connect() as conn:
        lineage = conn.execute(sa.select(stock_levels.c.source_system, stock_levels.c.sync_run_id)).all()
        q = conn.execute(sa.select(quarantine)).mappings().one()
        counters = conn.execute(sa.select(sync_run_streams)).mappings().one()
    assert set(lineage) == {(CONNECTOR, run_id)}
    assert (q["run_id"], q["rule"], q["status"], q["source_offset"]) == (
        run_id,
        "required:sku",
        "open",
        "stock.csv:3",
    )
    assert q["raw"] == {
        "sku": None,
        "qty": "1.50",
        "seen": "2025-03-01T00:00:00+00:00",
        "blob": "b'\\x00\\xff'",
    }
    assert load_state(engine, CONNECTOR, "stock") == {"offset": 4}
    assert (
        counters["records_read"],
        counters["records_loaded"],
        counters["records_rejected"],
        counters["batches"],
    ) == (3, 2, 1, 1)


def test_a_batch_failing_after_the_merge_leaves_no_rows_no_quarantine_and_no_cursor(engine: Engine) -> None:
    run_id = start_run(engine, connector=CONNECTOR, mode="incremental")
    commit_batch(engine, _batch(run_id, [_stock("A")], [], {"offset": 1}))
    # quarantine.rule is NOT NULL: the database refuses the reject after the rows were merged.
    broken = _reject(7, rule=cast(str, None))
    with pytest.raises(StoreError, match="batch of wms-sftp/stock not committed"):
        commit_batch(
            engine, _batch(run_id, [_stock("A", "99"), _stock("B")], [_reject(6), broken], {"offset": 9})
        )
    with engine.connect() as conn:
        rows = conn.execute(sa.select(stock_levels.c.sku, stock_levels.c.on_hand)).all()
        assert _count(conn, quarantine) == 0
        counters = conn.execute(sa.select(sync_run_streams.c.records_read, sync_run_streams.c.batches)).one()
    assert [tuple(r) for r in rows] == [("A", Decimal(10))]
    assert load_state(engine, CONNECTOR, "stock") == {"offset": 1}
    assert tuple(counters) == (1, 1)


def test_a_batch_for_a_run_that_was_never_started_leaves_nothing_behind(engine: Engine) -> None:
    with pytest.raises(StoreError, match="not committed"):
        commit_batch(engine, _batch("no-such-run", [_stock("A")], [_reject(1)], {"offset": 2}))
    with engine.connect() as conn:
        assert [_count(conn, t) for t in (stock_levels, quarantine, sync_state, sync_run_streams)] == [
            0,
            0,
            0,
            0,
        ]


def test_an_invalid_row_fails_the_whole_batch(engine: Engine) -> None:
    run_id = start_run(engine, connector=CONNECTOR, mode="incremental")
    with pytest.raises(ValidationError, match="duplicate key"):
        commit_batch(engine, _batch(run_id, [_stock("A"), _stock("A")], [_reject(1)], {"offset": 2}))
    assert load_state(engine, CONNECTOR, "stock") is None


def test_counters_reconcile_and_finish_run_sums_them(engine: Engine) -> None:
    earlier = start_run(engine, connector=CONNECTOR, mode="full_refresh")
    commit_batch(engine, _batch(earlier, [_stock("A"), _stock("Z")], [], None, touch_unchanged=True))
    run_id = start_run(engine, connector=CONNECTOR, mode="full_refresh")
    commit_batch(
        engine, _batch(run_id, [_stock("A"), _stock("B")], [_reject(3)], {"page": 1}, touch_unchanged=True)
    )
    commit_batch(
        engine, _batch(run_id, [_stock("C")], [_reject(5), _reject(6)], {"page": 2}, touch_unchanged=True)
    )
    gz = BatchCommit(CONNECTOR, "stock-gz", run_id, stock_levels, [_stock("D")], [], None, records_read=1)
    commit_batch(engine, gz)
    with engine.begin() as conn:
        deleted = soft_delete_missing(conn, stock_levels, run_id=run_id)
        add_stream_counts(conn, run_id, "stock", deleted=deleted)
    finish_run(engine, run_id, status="succeeded")
    with engine.connect() as conn:
        streams = (
            conn.execute(
                sa.select(sync_run_streams)
                .where(sync_run_streams.c.run_id == run_id)
                .order_by(sync_run_streams.c.stream)
            )
            .mappings()
            .all()
        )
        run = conn.execute(sa.select(sync_runs).where(sync_runs.c.run_id == run_id)).mappings().one()
    for s in streams:
        assert s["records_read"] == s["records_loaded"] + s["records_rejected"]
    assert [(s["stream"], s["batches"], s["records_deleted"], s["status"]) for s in streams] == [
        ("stock", 2, 1, "succeeded"),
        ("stock-gz", 1, 0, "succeeded"),
    ]
    assert (
        run["status"],
        run["mode"],
        run["records_read"],
        run["records_loaded"],
        run["records_rejected"],
        run["records_deleted"],
    ) == ("succeeded", "full_refresh", 7, 4, 3, 1)
    assert run["finished_at"] is not None and run["finished_at"] >= run["started_at"]


def test_partitioned_state_is_kept_per_partition(engine: Engine) -> None:
    run_id = start_run(engine, connector=CONNECTOR, mode="incremental")
    for partition, cursor in (("WH-SH", "2025-03-01"), ("WH-GZ", "2025-02-01"), ("WH-SH", "2025-03-02")):
        commit_batch(engine, _batch(run_id, [], [], {"cursor": cursor}, partition=partition))
    assert load_all_states(engine, CONNECTOR, "stock") == {
        "WH-SH": {"cursor": "2025-03-02"},
        "WH-GZ": {"cursor": "2025-02-01"},
    }
    assert load_state(engine, CONNECTOR, "stock", "WH-GZ") == {"cursor": "2025-02-01"}
    assert load_state(engine, CONNECTOR, "stock") is None  # no lossy fallback to a global cursor


def test_a_batch_on_the_callers_connection_rolls_back_with_the_caller(engine: Engine) -> None:
    with engine.connect() as conn:
        run_id = start_run(conn, connector=CONNECTOR, mode="incremental")
        commit_batch(conn, _batch(run_id, [_stock("A")], [_reject(1)], {"offset": 2}))
        assert load_state(conn, CONNECTOR, "stock") == {"offset": 2}
        conn.rollback()
    with engine.connect() as conn:
        assert [_count(conn, t) for t in (sync_runs, stock_levels, quarantine, sync_state)] == [0, 0, 0, 0]


def test_a_failed_batch_on_the_callers_connection_leaves_the_caller_free_to_go_on(engine: Engine) -> None:
    with engine.connect() as conn:
        run_id = start_run(conn, connector=CONNECTOR, mode="incremental")
        with pytest.raises(StoreError):
            commit_batch(
                conn, _batch(run_id, [_stock("A")], [_reject(1, rule=cast(str, None))], {"offset": 1})
            )
        commit_batch(conn, _batch(run_id, [_stock("B")], [], {"offset": 2}))
        conn.commit()
    with engine.connect() as conn:
        skus = conn.execute(sa.select(stock_levels.c.sku)).scalars().all()
        assert _count(conn, quarantine) == 0
    assert skus == ["B"]
    assert load_state(engine, CONNECTOR, "stock") == {"offset": 2}


def test_runs_refuse_unknown_modes_outcomes_and_ids(engine: Engine) -> None:
    with pytest.raises(ConfigError, match="unknown sync mode 'sometimes'"):
        start_run(engine, connector=CONNECTOR, mode="sometimes")
    run_id = start_run(engine, connector=CONNECTOR, mode="incremental")
    with pytest.raises(ConfigError, match="unknown run outcome 'done'"):
        finish_run(engine, run_id, status="done")
    with pytest.raises(StoreError, match="no sync run 'nope'"):
        finish_run(engine, "nope", status="failed", error="boom")
    finish_run(engine, run_id, status="failed", error="RetriableConnectorError: timeout")
    with engine.connect() as conn:
        run = conn.execute(sa.select(sync_runs.c.status, sync_runs.c.error, sync_runs.c.records_read)).one()
    assert tuple(run) == ("failed", "RetriableConnectorError: timeout", 0)
