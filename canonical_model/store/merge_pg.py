"""The PostgreSQL merge path: COPY into a temporary staging table, then one INSERT … ON CONFLICT.

The batch is streamed as COPY text built column-wise from the plan (no per-row SQL, no
per-row parameter binding) over the caller's own connection and transaction, then merged
by a single statement that reports inserted and updated rows without sending them back.
"""

from __future__ import annotations

import uuid
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
    inserted, touched = _upsert(conn, plan, staging)
    conn.exec_driver_sql(f"DROP TABLE {prep.quote(name)}")
    if unchanged_before is not None:
        return inserted, touched - unchanged_before, unchanged_before
    return inserted, touched, plan.size - inserted - touched


def _upsert(conn: sa.Connection, plan: MergePlan, staging: sa.Table) -> tuple[int, int]:
    table = plan.table
    constants = [
        sa.cast(sa.literal(value, table.c[name].type), table.c[name].type).label(name)
        for name, value in plan.constants.items()
    ]
    source = sa.select(*staging.c, *constants)
    stmt = pg_insert(table).from_select(list(plan.insert_columns), source)
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
