"""The sync engine: a connector's streams → their mappings → the canonical store.

For each stream, batch by batch: read a batch (rows plus the stream state after them), map
it (valid rows and rejects), then commit the rows, the quarantined rejects, the cursor
state and the run counters in one transaction. A process killed at any point resumes from
the last committed cursor, and the merge makes a re-read row a no-op, so nothing is lost
or doubled. Full refresh reads everything and afterwards soft-deletes the rows of this
source that the snapshot no longer had.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa

from canonical_model.errors import ConfigError, HubError
from canonical_model.store.batch import (
    BatchCommit,
    QuarantineRow,
    add_stream_counts,
    commit_batch,
    finish_run,
    load_all_states,
    start_run,
)
from canonical_model.store.merge import MergeResult, soft_delete_missing
from canonical_model.store.merge_encode import json_safe
from canonical_model.tables import sync_run_streams, sync_runs, table
from connectors.contract import Batch, HubSource, HubStream
from connectors.redaction import redact, secret_values
from connectors.state import PARTITIONS, Lookback
from flows.sync.locks import stream_lock
from flows.sync.result import StreamResult, SyncResult
from mappings.drift import detect_drift, enforce_drift
from mappings.engine import CompiledMapping, MappedBatch, compile_mapping
from mappings.reference import load_reference_data
from mappings.registry import load_spec_for

__all__ = ["ProgressCallback", "SyncRequest", "load_source", "run_sync"]

ProgressCallback = Callable[[StreamResult], None]


@dataclass(frozen=True)
class SyncRequest:
    """What to sync: a connector with its (secret-resolved) config, which streams, how."""

    connector: str
    config: Mapping[str, Any]
    streams: Sequence[str] | None = None
    full_refresh: bool = False
    lookback: Lookback = None
    mapping_dirs: Sequence[Path] = ()
    trigger: str | None = None


def load_source(connector: str) -> HubSource[Any]:
    """The source implementation registered under ``connector``."""
    from connectors.registry import get_connector

    descriptor = get_connector(connector)
    if descriptor.kind != "source":
        raise ConfigError(
            f"connector {connector!r} is a {descriptor.kind}, not a source: it has nothing to sync"
        )
    source = descriptor.load_factory()()
    if not isinstance(source, HubSource):
        raise ConfigError(f"connector {connector!r}: its factory did not return a source")
    return source


def run_sync(
    engine: sa.Engine,
    request: SyncRequest,
    *,
    source: HubSource[Any] | None = None,
    progress: ProgressCallback | None = None,
) -> SyncResult:
    """Sync ``request.streams`` (all when None) of ``request.connector`` into the store."""
    source = source or load_source(request.connector)
    secrets = secret_values(request.config, source.connection_specification())
    streams = _select(
        source.hub_streams(source.parse_config(request.config)), request.streams, request.connector
    )
    mode: Literal["incremental", "full_refresh"] = "full_refresh" if request.full_refresh else "incremental"
    run_id = start_run(engine, connector=request.connector, mode=mode, trigger=request.trigger)
    result = SyncResult(run_id, request.connector, mode)
    try:
        for stream in streams:
            outcome = StreamResult(stream.name, entity="")
            result.streams.append(outcome)
            _open_stream_record(engine, run_id, stream.name)
            try:
                with stream_lock(engine, request.connector, stream.name):
                    _sync_stream(engine, request, stream, run_id, outcome, progress)
            except HubError as exc:
                outcome.error = redact(f"{type(exc).__name__}: {exc}", secrets)
            _record_stream(engine, run_id, outcome)
    except BaseException as exc:  # a bug or an interrupt: the run record still says so
        finish_run(engine, run_id, status="failed", error=redact(f"{type(exc).__name__}: {exc}", secrets))
        raise
    finish_run(engine, run_id, status=result.status, error=result.error)
    return result


def _select(streams: Sequence[HubStream], wanted: Sequence[str] | None, connector: str) -> list[HubStream]:
    if not wanted:
        return list(streams)
    by_name = {s.name: s for s in streams}
    unknown = [name for name in wanted if name not in by_name]
    if unknown:
        raise ConfigError(
            f"connector {connector!r} has no stream {', '.join(map(repr, unknown))}; "
            f"its streams: {', '.join(sorted(by_name))}"
        )
    return [by_name[name] for name in wanted]


def _sync_stream(
    engine: sa.Engine,
    request: SyncRequest,
    stream: HubStream,
    run_id: str,
    outcome: StreamResult,
    progress: ProgressCallback | None,
) -> None:
    spec = load_spec_for(request.connector, stream.name, extra_dirs=request.mapping_dirs)
    target = table(spec.entity)
    outcome.entity = spec.entity
    with engine.connect() as conn:
        mapping = compile_mapping(spec, reference=load_reference_data(conn, spec))
        previous_schema = _previous_schema(conn, request.connector, stream.name)
        start_state = None if request.full_refresh else _stream_state(conn, request.connector, stream)
    refers_to_itself = any(lookup.partition(".")[0] == spec.entity for lookup in mapping.plan.lookups)
    first = True
    with _Committer(engine, outcome, progress) as committer:
        for batch, read_seconds in _timed(stream.read_batches(start_state, lookback=request.lookback)):
            outcome.seconds_read += read_seconds
            if first:
                report = enforce_drift(detect_drift(spec, batch.frame, previous_schema), spec.drift)
                outcome.drift = json_safe(asdict(report))
                first = False
            started = time.perf_counter()
            mapped = mapping.apply(batch.frame, source_offsets=_offsets(batch))
            outcome.seconds_map += time.perf_counter() - started
            committer.submit(_commit(request, stream, run_id, target, batch, mapped, mapping), mapped)
            del batch, mapped  # the committer holds what it needs; memory stays at two batches
            if refers_to_itself:
                # Rows this batch commits (a dealer) are valid referents for the next batch (its children).
                committer.wait()
                with engine.connect() as conn:
                    mapping = compile_mapping(spec, reference=load_reference_data(conn, spec))
    if request.full_refresh:
        with engine.begin() as conn:
            outcome.deleted = soft_delete_missing(
                conn, target, run_id=run_id, where=target.c.source_system == request.connector
            )
            add_stream_counts(conn, run_id, stream.name, deleted=outcome.deleted)


class _Committer:
    """Commits batch N in a worker thread while the caller reads and maps batch N+1.

    The database's time (COPY, merge, commit) then overlaps Python's (parsing, mapping) on
    another core. Batches still commit one at a time and in order: :meth:`submit` first
    waits for the batch before. A commit's counts reach ``outcome`` (and ``progress``) once
    it is committed, as before; the first failure is raised — by the next :meth:`submit`, by
    :meth:`wait`, or on leaving the ``with`` block, which always waits for the batch in
    flight, so no commit outlives the stream (and an error of its own wins over a later one
    of the reader's, as it happened first).
    """

    def __init__(self, engine: sa.Engine, outcome: StreamResult, progress: ProgressCallback | None) -> None:
        self._engine = engine
        self._outcome = outcome
        self._progress = progress
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dmshub-commit")
        self._pending: tuple[Future[tuple[MergeResult, float]], MappedBatch] | None = None

    def __enter__(self) -> _Committer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)

    def submit(self, commit: BatchCommit, mapped: MappedBatch) -> None:
        """Commit ``commit`` after the batch before it (whose failure is raised here)."""
        self.wait()
        self._pending = (self._pool.submit(self._run, commit), mapped)

    def _run(self, commit: BatchCommit) -> tuple[MergeResult, float]:
        started = time.perf_counter()
        merged = commit_batch(self._engine, commit)
        return merged, time.perf_counter() - started

    def wait(self) -> None:
        """Wait for the batch in flight; count it, or raise its error."""
        if self._pending is None:
            return
        future, mapped = self._pending
        self._pending = None
        merged, seconds = future.result()
        outcome = self._outcome
        outcome.seconds_load += seconds
        outcome.read += mapped.read
        outcome.loaded += mapped.loaded
        outcome.rejected += mapped.rejected
        outcome.inserted += merged.inserted
        outcome.updated += merged.updated
        outcome.unchanged += merged.unchanged
        outcome.batches += 1
        if self._progress is not None:
            self._progress(outcome)


def _open_stream_record(engine: sa.Engine, run_id: str, stream: str) -> None:
    """Create the stream's run row before anything can fail, so every failure is recorded."""
    with engine.begin() as conn:
        add_stream_counts(conn, run_id, stream)


def _commit(
    request: SyncRequest,
    stream: HubStream,
    run_id: str,
    target: sa.Table,
    batch: Batch,
    mapped: MappedBatch,
    mapping: CompiledMapping,
) -> BatchCommit:
    partition = batch.partition or ""
    state: dict[str, Any] | None = batch.state or None
    if state is not None and stream.partition_field is not None:
        state = state.get(PARTITIONS, {}).get(partition)
    rejects = [
        QuarantineRow(
            connector=request.connector,
            stream=stream.name,
            rule=r.rule,
            reason=r.reason,
            raw=r.raw,
            record_key=r.record_key,
            source_offset=r.source_offset,
        )
        for r in mapped.rejects
    ]
    return BatchCommit(
        connector=request.connector,
        stream=stream.name,
        run_id=run_id,
        table=target,
        rows=mapped.valid,
        rejects=rejects,
        state=state,
        partition=partition,
        records_read=mapped.read,
        touch_unchanged=request.full_refresh,
    )


def _stream_state(conn: sa.Connection, connector: str, stream: HubStream) -> dict[str, Any] | None:
    """The committed state, reassembled per partition (never a global fallback cursor)."""
    states = load_all_states(conn, connector, stream.name)
    if stream.partition_field is not None:
        return {PARTITIONS: {p: s for p, s in states.items() if p}}
    return states.get("")


def _previous_schema(conn: sa.Connection, connector: str, stream: str) -> dict[str, str] | None:
    row = conn.execute(
        sa.select(sync_run_streams.c.schema_drift)
        .join(sync_runs, sync_runs.c.run_id == sync_run_streams.c.run_id)
        .where(
            sync_runs.c.connector == connector,
            sync_run_streams.c.stream == stream,
            sync_run_streams.c.schema_drift.is_not(None),
        )
        .order_by(sync_runs.c.started_at.desc())
        .limit(1)
    ).scalar()
    schema = (row or {}).get("schema") if isinstance(row, dict) else None
    return dict(schema) if isinstance(schema, dict) else None


def _record_stream(engine: sa.Engine, run_id: str, outcome: StreamResult) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(sync_run_streams)
            .where(sync_run_streams.c.run_id == run_id, sync_run_streams.c.stream == outcome.stream)
            .values(
                status=outcome.status,
                error=outcome.error,
                schema_drift=outcome.drift,
                seconds_read=outcome.seconds_read,
                seconds_map=outcome.seconds_map,
                seconds_load=outcome.seconds_load,
            )
        )


def _offsets(batch: Batch) -> list[str]:
    return [f"{batch.source_offset}#{i}" for i in range(1, len(batch.frame) + 1)]


def _timed(batches: Iterator[Batch]) -> Iterator[tuple[Batch, float]]:
    while True:
        started = time.perf_counter()
        try:
            batch = next(batches)
        except StopIteration:
            return
        yield batch, time.perf_counter() - started
