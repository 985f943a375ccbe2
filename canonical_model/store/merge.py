"""The store's one bulk-merge primitive: insert new rows, update changed ones, skip the rest.

``merge_rows`` upserts a batch on its natural key inside the caller's transaction (it never
commits). On PostgreSQL it streams the batch with ``COPY`` into a temporary staging table and
merges it with one ``INSERT … ON CONFLICT``; on SQLite it runs batched
``INSERT … ON CONFLICT DO UPDATE`` statements through the column types. Rows carry a payload
hash over their data columns: a row whose hash is unchanged is left untouched (even its
``updated_at``), so merging the same batch twice changes nothing. A soft-deleted row that
comes back is revived. ``soft_delete_missing`` closes a full refresh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from canonical_model.errors import ConfigError, ValidationError
from canonical_model.store.merge_fields import python_values
from canonical_model.store.merge_pg import merge_copy
from canonical_model.store.merge_plan import MergePlan, conflict_clauses, plan_merge
from canonical_model.tables import utcnow

__all__ = ["MERGE_METHOD_FOR_DIALECT", "MergeMethod", "MergeResult", "merge_rows", "soft_delete_missing"]

MergeMethod = Literal["copy", "upsert"]

MERGE_METHOD_FOR_DIALECT: Mapping[str, MergeMethod] = {"postgresql": "copy", "sqlite": "upsert"}
"""Which merge path each supported database takes."""

# SQLite binds at most 32766 parameters per statement; key lookups stay well below.
_SQLITE_MAX_PARAMS = 30000


@dataclass(frozen=True)
class MergeResult:
    """Row counts of one merge; ``inserted + updated + unchanged`` is the batch size."""

    inserted: int
    updated: int
    unchanged: int
    method: MergeMethod

    @property
    def total(self) -> int:
        """Rows in the batch."""
        return self.inserted + self.updated + self.unchanged


def merge_rows(
    conn: sa.Connection,
    table: sa.Table,
    rows: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str] | None = None,
    lineage: Mapping[str, Any] | None = None,
    touch_unchanged: bool = False,
    batch_size: int = 5000,
) -> MergeResult:
    """Upsert ``rows`` into ``table`` on ``key`` (default: the primary key) in the caller's transaction.

    ``lineage`` values (e.g. ``source_system``, ``sync_run_id``) are set on every row written.
    ``touch_unchanged`` also stamps lineage and ``updated_at`` on rows whose data did not
    change (what a full refresh needs before ``soft_delete_missing``); they still count as
    unchanged. Raises ``ConfigError`` for unknown or missing columns and ``ValidationError``
    for values the table cannot take (nulls in required columns, naive datetimes, duplicate
    keys within the batch, constraint violations). A JSON column takes Python values (a
    ``str`` is a JSON string, not a document to parse); ``None``/NaN/NaT are SQL NULL.
    """
    method = MERGE_METHOD_FOR_DIALECT.get(conn.dialect.name)
    if method is None:
        raise ConfigError(f"bulk merge supports PostgreSQL and SQLite, not {conn.dialect.name}")
    if batch_size < 1:
        raise ConfigError(f"batch_size must be positive, got {batch_size}")
    plan = plan_merge(table, rows, key=key, lineage=lineage, touch_unchanged=touch_unchanged, now=utcnow())
    if plan is None:
        return MergeResult(0, 0, 0, method)
    try:
        counts = (
            merge_copy(conn, plan, batch_size) if method == "copy" else _merge_upsert(conn, plan, batch_size)
        )
    except (sa_exc.IntegrityError, sa_exc.DataError) as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        raise ValidationError(f"merge into {table.name} rejected: {first}") from exc
    return MergeResult(*counts, method=method)


def _merge_upsert(conn: sa.Connection, plan: MergePlan, batch_size: int) -> tuple[int, int, int]:
    table = plan.table
    names = list(plan.columns)
    values = [python_values(plan.kinds[c], plan.plain[c]) for c in names]
    records = [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
    # Lineage and timestamps are the same for every row: they ride on the statement.
    stmt = sqlite_insert(table).values(**plan.constants)
    set_, where = conflict_clauses(plan, stmt.excluded)
    if set_:
        stmt = stmt.on_conflict_do_update(index_elements=list(plan.key), set_=set_, where=where)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(plan.key))
    inserted = updated = unchanged = 0
    for start in range(0, len(records), batch_size):
        chunk = records[start : start + batch_size]
        existing = _existing(conn, plan, chunk)
        to_write = []
        for record in chunk:
            state = existing.get(tuple(record[k] for k in plan.key))
            if state is None:
                inserted += 1
            elif set_ and _changed(plan, record, state):
                updated += 1
            else:
                unchanged += 1
                if not plan.touch_unchanged:
                    continue
            to_write.append(record)
        if to_write:
            conn.execute(stmt, to_write)
    return inserted, updated, unchanged


def _changed(plan: MergePlan, record: Mapping[str, Any], state: tuple[Any, Any]) -> bool:
    if not plan.hashed:
        return True
    old_hash, old_deleted = state
    return bool(old_hash != record["payload_hash"] or old_deleted != record.get("deleted_at"))


def _existing(
    conn: sa.Connection, plan: MergePlan, chunk: Sequence[Mapping[str, Any]]
) -> dict[tuple[Any, ...], Any]:
    """Key → (payload_hash, deleted_at) of the rows of ``chunk`` already in the table."""
    table = plan.table
    key_cols = [table.c[k] for k in plan.key]
    extra = [
        table.c.payload_hash if plan.hashed else sa.null(),
        table.c.deleted_at if "deleted_at" in table.c else sa.null(),
    ]
    keys = [tuple(record[k] for k in plan.key) for record in chunk]
    step = max(1, _SQLITE_MAX_PARAMS // len(key_cols))
    found: dict[tuple[Any, ...], Any] = {}
    for start in range(0, len(keys), step):
        part = keys[start : start + step]
        match = (
            key_cols[0].in_([k[0] for k in part]) if len(key_cols) == 1 else sa.tuple_(*key_cols).in_(part)
        )
        for row in conn.execute(sa.select(*key_cols, *extra).where(match)):
            found[tuple(row[: len(key_cols)])] = (row[-2], row[-1])
    return found


def soft_delete_missing(
    conn: sa.Connection,
    table: sa.Table,
    *,
    run_id: str,
    where: sa.ColumnElement[bool] | None = None,
) -> int:
    """Mark ``deleted_at`` on live rows not stamped by ``run_id`` (restricted by ``where``).

    Closes a full refresh: after every batch was merged with ``touch_unchanged=True``, the
    rows the snapshot no longer contains are the ones another run last wrote. Returns how
    many rows were marked.
    """
    missing = [c for c in ("sync_run_id", "deleted_at") if c not in table.c]
    if missing:
        raise ConfigError(f"{table.name} has no {', '.join(missing)} column: it cannot be soft-deleted")
    now = utcnow()
    values: dict[str, Any] = {"deleted_at": now}
    if "updated_at" in table.c:
        values["updated_at"] = now
    stmt = (
        sa.update(table)
        .where(table.c.sync_run_id.is_distinct_from(run_id), table.c.deleted_at.is_(None))
        .values(**values)
    )
    if where is not None:
        stmt = stmt.where(where)
    return int(conn.execute(stmt).rowcount)
