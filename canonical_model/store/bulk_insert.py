"""``insert_rows``: many new rows into one table, by COPY on PostgreSQL.

An ``executemany`` of INSERTs costs a statement per row on the server; COPY streams the rows
as one. The values go through each column type's own bind processing first (exact
decimals, UTC datetimes, JSON), and columns the rows leave out get their Python-side
defaults (``created_at``…) as an INSERT would give them; server defaults stay the server's.
SQLite (and any other database) takes the plain ``executemany``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from canonical_model.errors import ValidationError

__all__ = ["insert_rows"]


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` in the caller's transaction.

    Raises ``ValidationError`` when PostgreSQL refuses a row (a duplicate key, a check);
    the transaction is then aborted, as with a failing INSERT.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), [dict(r) for r in rows])
        return
    by_columns: dict[tuple[str, ...], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_columns[tuple(row)].append(row)
    for columns, group in by_columns.items():
        _copy(conn, table, columns, group)


def _copy(
    conn: sa.Connection, table: sa.Table, given: tuple[str, ...], rows: list[Mapping[str, Any]]
) -> None:
    import psycopg  # the driver of the PostgreSQL URLs the hub builds; only needed on this path

    defaults = {
        c.name: c.default
        for c in table.columns
        if c.name not in given and isinstance(c.default, sa.ColumnDefault) and not c.default.is_sequence
    }
    columns = [*given, *defaults]
    processors = [table.c[name].type.bind_processor(conn.dialect) for name in columns]
    prep = conn.dialect.identifier_preparer
    statement = f"COPY {prep.format_table(table)} ({', '.join(prep.quote(c) for c in columns)}) FROM STDIN"
    raw: Any = conn.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                values = [row[name] for name in given]
                values += [d.arg(None) if d.is_callable else d.arg for d in defaults.values()]
                copy.write_row(
                    [v if p is None or v is None else p(v) for p, v in zip(processors, values, strict=True)]
                )
    except (psycopg.errors.DataError, psycopg.errors.IntegrityError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise ValidationError(f"bulk insert into {table.name} rejected a row: {first}") from exc
