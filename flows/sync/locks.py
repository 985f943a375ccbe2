"""One sync of a connector's stream at a time.

On PostgreSQL a session-level advisory lock keyed on ``connector/stream`` is held for the
whole stream, so a second sync of the same stream — from another worker on another
machine — is refused at once instead of interleaving its batches and cursor. SQLite is the
single-machine default; its ``BEGIN IMMEDIATE`` already serialises each batch's writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from canonical_model.errors import HubError

__all__ = ["SyncAlreadyRunning", "stream_lock"]


class SyncAlreadyRunning(HubError):
    """Another process is syncing the same connector stream right now."""


def lock_key(connector: str, stream: str, scope: str = "") -> int:
    """A stable signed 64-bit key for ``connector/stream`` in one store (``scope``: database.schema).

    Advisory locks are server-wide, so two stores on one server (a schema each) must not
    share keys.
    """
    digest = hashlib.blake2b(f"dmshub-sync:{scope}:{connector}/{stream}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def stream_lock(engine: sa.Engine, connector: str, stream: str) -> Iterator[None]:
    """Hold the stream's lock for the duration of the block (PostgreSQL); no-op on SQLite."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        scope = ".".join(
            str(p) for p in conn.execute(sa.text("SELECT current_database(), current_schema()")).one()
        )
        key = lock_key(connector, stream, scope)
        got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        conn.commit()
        if not got:
            raise SyncAlreadyRunning(
                f"another sync of {connector}/{stream} is running; try again when it ends"
            )
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()
