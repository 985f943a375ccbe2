"""Looking rows up by many keys at once — thousands of codes or event ids per bulk of scans.

PostgreSQL gets the keys as one array parameter (``column = ANY(:keys)``): one statement, one
round trip, however many keys. SQLite gets IN lists of a size it binds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

__all__ = ["MANY", "chunks", "select_in", "unprepared"]

_CHUNK: Final = 2000
#: From this many keys on, a statement is planned for its actual array (see :func:`unprepared`);
#: below, psycopg may prepare it, which saves the planning on the single-scan path.
MANY: Final = 100


def chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    """``values`` in slices small enough for one IN list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


@contextmanager
def unprepared(conn: sa.Connection) -> Iterator[None]:
    """Statements run inside are planned for their actual parameters every time.

    psycopg turns a statement run five times into a server-side prepared statement, and
    PostgreSQL may then settle on a generic plan. For ``= ANY(:array)`` a generic plan cannot
    know the array's length: one made while a table was small (a sequential scan comparing
    every row with every element) turns a bulk of 20,000 keys into seconds of CPU. Planning
    each time costs far less than that risk. A no-op on other backends and drivers.
    """
    raw = conn.connection.driver_connection if conn.dialect.name == "postgresql" else None
    if raw is None or not hasattr(raw, "prepare_threshold"):
        yield
        return
    saved = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = saved


def select_in(
    conn: sa.Connection, query: sa.Select[Any], column: sa.ColumnElement[Any], values: Sequence[Any]
) -> list[sa.Row[Any]]:
    """The rows of ``query`` restricted to ``column IN values``.

    PostgreSQL gets one statement with the values as a single array parameter
    (``column = ANY(:values)``) whatever their number, planned for the array when there are
    :data:`MANY` or more (see :func:`unprepared`); other backends get IN lists of a size
    SQLite binds.
    """
    if not values:
        return []
    if conn.dialect.name == "postgresql":
        array = sa.bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        statement = query.where(column == sa.any_(array))
        if len(values) < MANY:
            return list(conn.execute(statement).all())
        with unprepared(conn):
            return list(conn.execute(statement).all())
    return [row for part in chunks(values) for row in conn.execute(query.where(column.in_(part))).all()]
