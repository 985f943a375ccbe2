"""The PostgreSQL merge path: COPY into a temporary staging table, then UPDATE + INSERT.

The batch is streamed as COPY text built column-wise from the plan (no per-row SQL, no
per-row parameter binding) over the caller's own connection and transaction. It is then
merged by an ``UPDATE … FROM`` of the rows that exist (and changed) and an ``INSERT …
SELECT`` of the rows that do not — inside a savepoint. That is the result of
``INSERT … ON CONFLICT DO UPDATE`` at half its cost (speculative insertion checks every
row twice). A concurrent writer inserting one of the keys in between makes the INSERT
fail: the savepoint is rolled back and the batch merged with ``ON CONFLICT`` instead, which
cannot fail that way. Both report inserted and updated rows without sending them back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from canonical_model.errors import ValidationError
from canonical_model.store.merge_fields import copy_lines
from canonical_model.store.merge_plan import MergePlan, conflict_clauses

__all__ = ["merge_copy"]


def merge_copy(conn: sa.Connection, plan: MergePlan, batch_size: int) -> tuple[int, int, int]:
    """Merge ``plan`` into its table; returns (inserted, updated, unchanged)."""
    import psycopg  # the driver of the PostgreSQL URLs the hub builds; only needed on this path

    table = plan.table
    prep = conn.dialect.identifier_preparer
    name = f"dmshub_stage_{uuid.uuid4().hex[:12]}"
    columns = ", ".join(prep.quote(c) for c in plan.columns)
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {prep.quote(name)} ON COMMIT DROP AS "
        f"SELECT {columns} FROM {prep.format_table(table)} WITH NO DATA"
    )
    staging = sa.Table(name, sa.MetaData(), *(sa.Column(c, table.c[c].type) for c in plan.columns))
    field_lists = [plan.fields[c].tolist() for c in plan.columns]
    raw: Any = conn.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(f"COPY {prep.quote(name)} ({columns}) FROM STDIN") as copy:
            for start in range(0, plan.size, batch_size):
                copy.write(copy_lines(field_lists, start, start + batch_size))
    except (psycopg.errors.DataError, psycopg.errors.IntegrityError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise ValidationError(f"bulk load into {table.name} rejected a value: {first}") from exc
    unchanged_before = _count_unchanged(conn, plan, staging) if plan.touch_unchanged and plan.hashed else None
    try:
        inserted, touched = _update_then_insert(conn, plan, staging)
    except sa.exc.IntegrityError as exc:
        if not isinstance(exc.orig, psycopg.errors.UniqueViolation):
            raise
        inserted, touched = _upsert(conn, plan, staging)  # a key was inserted concurrently
    conn.exec_driver_sql(f"DROP TABLE {prep.quote(name)}")
    if unchanged_before is not None:
        return inserted, touched - unchanged_before, unchanged_before
    return inserted, touched, plan.size - inserted - touched


class _Proposed:
    """The rows as ON CONFLICT's ``excluded`` sees them: staging + constants (an absent column: NULL)."""

    def __init__(self, source: sa.Subquery, table: sa.Table) -> None:
        self._source = source
        self._table = table

    def __getitem__(self, name: str) -> sa.ColumnElement[Any]:
        if name in self._source.c:
            return self._source.c[name]
        return sa.null().cast(self._table.c[name].type)


def _update_then_insert(conn: sa.Connection, plan: MergePlan, staging: sa.Table) -> tuple[int, int]:
    with _probe_by_key(conn), conn.begin_nested():  # the savepoint is rolled back first
        return _write(conn, plan, staging)


@contextmanager
def _probe_by_key(conn: sa.Connection) -> Iterator[None]:
    """Join the batch to the table by probing its key's unique index, row by row.

    The table's statistics lag behind a sync that grows it (from empty to a million rows in
    one run), and the planner then hashes or sorts the whole table for every batch — a
    quadratic run. A batch of staging rows against the key index is always the right plan.
    """
    names = ("enable_hashjoin", "enable_mergejoin")
    before = [conn.exec_driver_sql(f"SELECT current_setting('{n}')").scalar_one() for n in names]
    for name in names:
        conn.exec_driver_sql(f"SELECT set_config('{name}', 'off', true)")
    try:
        yield
    finally:
        for name, value in zip(names, before, strict=True):
            conn.execute(sa.text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})


def _write(conn: sa.Connection, plan: MergePlan, staging: sa.Table) -> tuple[int, int]:
    table = plan.table
    source = _source(plan, staging).subquery("proposed")
    proposed = _Proposed(source, table)
    same_key = sa.and_(*(table.c[k] == source.c[k] for k in plan.key))
    set_, where = conflict_clauses(plan, proposed)
    touched = 0
    if set_:
        update = sa.update(table).values(set_).where(same_key)
        if where is not None:
            update = update.where(where)
        touched = _count(conn, update.returning(sa.literal(1)))
    exists = sa.select(sa.literal(1)).select_from(table).where(same_key).exists()
    rows = sa.select(*(source.c[c] for c in plan.insert_columns)).where(~exists)
    insert = sa.insert(table).from_select(list(plan.insert_columns), rows)
    return _count(conn, insert.returning(sa.literal(1))), touched


def _count(conn: sa.Connection, statement: sa.Insert | sa.Update) -> int:
    """Rows a DML statement wrote, counted on the server (the driver's rowcount is not reliable here)."""
    written = statement.cte("written")
    return int(conn.execute(sa.select(sa.func.count()).select_from(written)).scalar_one())


def _source(plan: MergePlan, staging: sa.Table) -> sa.Select[Any]:
    table = plan.table
    constants = [
        sa.cast(sa.literal(value, table.c[name].type), table.c[name].type).label(name)
        for name, value in plan.constants.items()
    ]
    return sa.select(*staging.c, *constants)


def _upsert(conn: sa.Connection, plan: MergePlan, staging: sa.Table) -> tuple[int, int]:
    table = plan.table
    stmt = pg_insert(table).from_select(list(plan.insert_columns), _source(plan, staging))
    set_, where = conflict_clauses(plan, stmt.excluded)
    if set_:
        stmt = stmt.on_conflict_do_update(index_elements=list(plan.key), set_=set_, where=where)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(plan.key))
    # xmax = 0 only on a freshly inserted tuple: counts inserts vs updates in one round trip.
    flag = sa.literal_column("(xmax = 0)", sa.Boolean).label("inserted")
    merged = stmt.returning(flag).cte("merged")
    counts = sa.select(
        sa.func.count().filter(merged.c.inserted),
        sa.func.count().filter(sa.not_(merged.c.inserted)),
    )
    row = conn.execute(counts).one()
    return int(row[0]), int(row[1])


def _count_unchanged(conn: sa.Connection, plan: MergePlan, staging: sa.Table) -> int:
    table = plan.table
    match = [table.c[k] == staging.c[k] for k in plan.key]
    same_deleted = (
        (
            table.c.deleted_at.is_not_distinct_from(staging.c.deleted_at)
            if "deleted_at" in staging.c
            else table.c.deleted_at.is_(None)
        )
        if "deleted_at" in table.c
        else sa.true()
    )
    query = (
        sa.select(sa.func.count())
        .select_from(staging.join(table, sa.and_(*match)))
        .where(table.c.payload_hash == staging.c.payload_hash, same_deleted)
    )
    return int(conn.execute(query).scalar_one())
