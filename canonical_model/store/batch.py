"""One batch of a sync commits in one transaction: rows, quarantine, cursor state, counters.

A crash at any point therefore never loses or duplicates a row: either the merged rows,
their rejects, the advanced cursor and the run's counters are all committed, or none is,
and the next run resumes from the last committed cursor. Sync runs are recorded here too
(``start_run`` / ``finish_run``) so that read = loaded + rejected can be checked per run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from canonical_model.errors import ConfigError, StoreError
from canonical_model.store.merge import MergeResult, merge_rows
from canonical_model.store.merge_encode import json_safe
from canonical_model.tables import quarantine, sync_run_streams, sync_runs, sync_state, utcnow

__all__ = [
    "RUN_MODES",
    "RUN_OUTCOMES",
    "BatchCommit",
    "QuarantineRow",
    "add_stream_counts",
    "commit_batch",
    "finish_run",
    "load_all_states",
    "load_state",
    "start_run",
]

RUN_MODES = ("incremental", "full_refresh", "replay")
RUN_OUTCOMES = ("succeeded", "failed", "partial")
_COUNTERS = ("records_read", "records_loaded", "records_rejected", "records_deleted")


@dataclass
class QuarantineRow:
    """A rejected record: the failing rule, why, and the raw record as received."""

    connector: str
    stream: str
    rule: str
    reason: str
    raw: Mapping[str, Any]
    record_key: str | None = None
    source_offset: str | None = None


@dataclass
class BatchCommit:
    """Everything one batch of a stream commits together.

    ``state`` is the cursor after this batch (``None``: leave the cursor alone);
    ``records_read`` is how many source records the batch came from, so that
    read = loaded + rejected reconciles. ``lineage`` adds to the default lineage
    (``source_system`` = connector, ``sync_run_id`` = run_id).
    """

    connector: str
    stream: str
    run_id: str
    table: sa.Table
    rows: pd.DataFrame | Sequence[Mapping[str, Any]]
    rejects: Sequence[QuarantineRow] = field(default_factory=tuple)
    state: Mapping[str, Any] | None = None
    partition: str = ""
    records_read: int = 0
    touch_unchanged: bool = False
    lineage: Mapping[str, Any] | None = None


@contextmanager
def _transaction(engine_or_conn: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    """An Engine gets its own transaction; a Connection is used as-is inside a savepoint.

    The savepoint keeps a batch all-or-nothing even when the caller catches the error and
    goes on with its own transaction.
    """
    if isinstance(engine_or_conn, sa.Engine):
        with engine_or_conn.begin() as conn:
            yield conn
    else:
        with engine_or_conn.begin_nested():
            yield engine_or_conn


def commit_batch(engine_or_conn: sa.Engine | sa.Connection, batch: BatchCommit) -> MergeResult:
    """Merge the rows, quarantine the rejects, advance the cursor and count, in one transaction."""
    lineage = {"source_system": batch.connector, "sync_run_id": batch.run_id, **(batch.lineage or {})}
    lineage = {k: v for k, v in lineage.items() if k in batch.table.c}
    with _transaction(engine_or_conn) as conn:
        result = merge_rows(
            conn, batch.table, batch.rows, lineage=lineage, touch_unchanged=batch.touch_unchanged
        )
        try:
            _record(conn, batch, result)
        except (sa_exc.IntegrityError, sa_exc.DataError) as exc:
            first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
            raise StoreError(f"batch of {batch.connector}/{batch.stream} not committed: {first}") from exc
    return result


def _record(conn: sa.Connection, batch: BatchCommit, result: MergeResult) -> None:
    """Everything of a batch besides its rows: rejects, cursor, counters."""
    if batch.rejects:
        now = utcnow()
        conn.execute(
            quarantine.insert(),
            [
                {
                    "run_id": batch.run_id,
                    "connector": r.connector,
                    "stream": r.stream,
                    "rule": r.rule,
                    "reason": r.reason,
                    "record_key": r.record_key,
                    "source_offset": r.source_offset,
                    "raw": json_safe(r.raw),
                    "status": "open",
                    "created_at": now,
                }
                for r in batch.rejects
            ],
        )
    if batch.state is not None:
        _upsert(
            conn,
            sync_state,
            {
                "connector": batch.connector,
                "stream": batch.stream,
                "partition": batch.partition,
                "state": json_safe(batch.state),
                "sync_run_id": batch.run_id,
                "updated_at": utcnow(),
            },
            key=("connector", "stream", "partition"),
        )
    add_stream_counts(
        conn,
        batch.run_id,
        batch.stream,
        read=batch.records_read,
        loaded=result.total,
        rejected=len(batch.rejects),
        batches=1,
    )


def _upsert(
    conn: sa.Connection,
    table: sa.Table,
    values: Mapping[str, Any],
    *,
    key: Sequence[str],
    set_: Mapping[str, Any] | None = None,
) -> None:
    """Insert one row or update it on its key; ``set_`` overrides the update (default: all values)."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(**values)
    update = dict(set_) if set_ is not None else {c: stmt.excluded[c] for c in values if c not in key}
    conn.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=update))


def add_stream_counts(
    conn: sa.Connection,
    run_id: str,
    stream: str,
    *,
    read: int = 0,
    loaded: int = 0,
    rejected: int = 0,
    deleted: int = 0,
    batches: int = 0,
) -> None:
    """Add to a run's per-stream counters, creating the stream's row on first use.

    Also how a full refresh records its soft deletes (``deleted=soft_delete_missing(...)``).
    """
    counts = {
        "records_read": read,
        "records_loaded": loaded,
        "records_rejected": rejected,
        "records_deleted": deleted,
        "batches": batches,
    }
    table = sync_run_streams
    set_ = {c: table.c[c] + sa.literal(n, sa.BigInteger) for c, n in counts.items()}
    _upsert(conn, table, {"run_id": run_id, "stream": stream, **counts}, key=("run_id", "stream"), set_=set_)


def start_run(
    engine_or_conn: sa.Engine | sa.Connection, *, connector: str, mode: str, trigger: str | None = None
) -> str:
    """Record a new sync run as running; returns its id (a UUID4 string)."""
    if mode not in RUN_MODES:
        raise ConfigError(f"unknown sync mode {mode!r}; expected one of {', '.join(RUN_MODES)}")
    run_id = str(uuid.uuid4())
    with _transaction(engine_or_conn) as conn:
        conn.execute(
            sync_runs.insert().values(
                run_id=run_id,
                connector=connector,
                mode=mode,
                trigger=trigger,
                status="running",
                started_at=utcnow(),
            )
        )
    return run_id


def finish_run(
    engine_or_conn: sa.Engine | sa.Connection, run_id: str, *, status: str, error: str | None = None
) -> None:
    """Close a run: its outcome, the time, and its counters summed over its streams."""
    if status not in RUN_OUTCOMES:
        raise ConfigError(f"unknown run outcome {status!r}; expected one of {', '.join(RUN_OUTCOMES)}")
    streams = sync_run_streams
    sums = {
        c: sa.select(sa.func.coalesce(sa.func.sum(streams.c[c]), 0))
        .where(streams.c.run_id == run_id)
        .scalar_subquery()
        for c in _COUNTERS
    }
    with _transaction(engine_or_conn) as conn:
        done = conn.execute(
            sa.update(sync_runs)
            .where(sync_runs.c.run_id == run_id)
            .values(status=status, finished_at=utcnow(), error=error, **sums)
        )
        if done.rowcount != 1:
            raise StoreError(f"no sync run {run_id!r} to finish")
        conn.execute(
            sa.update(streams)
            .where(streams.c.run_id == run_id, streams.c.status == "running")
            .values(status=status)
        )


def load_state(
    engine_or_conn: sa.Engine | sa.Connection, connector: str, stream: str, partition: str = ""
) -> dict[str, Any] | None:
    """The last committed cursor state of one stream partition, or ``None`` if it never ran."""
    query = sa.select(sync_state.c.state).where(
        sync_state.c.connector == connector,
        sync_state.c.stream == stream,
        sync_state.c.partition == partition,
    )
    with _reading(engine_or_conn) as conn:
        state = conn.execute(query).scalar_one_or_none()
    return dict(state) if state is not None else None


def load_all_states(
    engine_or_conn: sa.Engine | sa.Connection, connector: str, stream: str
) -> dict[str, dict[str, Any]]:
    """Every partition's committed state of a stream, keyed by partition ('' = unpartitioned)."""
    query = sa.select(sync_state.c.partition, sync_state.c.state).where(
        sync_state.c.connector == connector, sync_state.c.stream == stream
    )
    with _reading(engine_or_conn) as conn:
        return {part: dict(state) for part, state in conn.execute(query)}


@contextmanager
def _reading(engine_or_conn: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    if isinstance(engine_or_conn, sa.Engine):
        with engine_or_conn.connect() as conn:
            yield conn
    else:
        yield engine_or_conn
