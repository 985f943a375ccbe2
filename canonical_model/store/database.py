"""Where the store lives: URL resolution, engine creation and database error translation.

``DMSHUB_DATABASE_URL`` selects the database; without it the hub uses an embedded SQLite
file under ``./.dmshub/`` so nothing needs to be installed. PostgreSQL is the production
target (``postgresql+psycopg://user@host:5432/db``). Nothing here runs at import time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine, make_url

from canonical_model.errors import ConfigError, DatabaseUnreachable, StoreError

__all__ = [
    "DEFAULT_SQLITE_PATH",
    "ENV_VAR",
    "create_engine",
    "database_errors",
    "redacted_url",
    "resolve_url",
]

ENV_VAR = "DMSHUB_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path(".dmshub") / "dmshub.sqlite"

_SUPPORTED = {"sqlite", "postgresql"}


def resolve_url(url: str | None = None, env: Mapping[str, str] | None = None) -> URL:
    """The database URL: the argument, else ``$DMSHUB_DATABASE_URL``, else embedded SQLite.

    ``postgresql://`` and ``postgres://`` are read as psycopg 3. Raises ``ConfigError`` with
    a one-line message for a URL that cannot be used.
    """
    environ = os.environ if env is None else env
    raw = url or environ.get(ENV_VAR) or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    try:
        parsed = make_url(raw)
    except exc.ArgumentError as err:
        raise ConfigError(
            f"bad database URL {_redact_raw(raw)!r}: expected e.g. "
            "postgresql://user@host:5432/dbname or sqlite:///path/file.sqlite"
        ) from err
    backend = parsed.get_backend_name()
    if backend == "postgres":
        parsed = parsed.set(drivername="postgresql+psycopg")
        backend = "postgresql"
    if backend not in _SUPPORTED:
        raise ConfigError(
            f"unsupported database {backend!r} in {redacted_url(parsed)!r}: use PostgreSQL or SQLite"
        )
    if parsed.drivername in ("postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def redacted_url(url: URL | str) -> str:
    """The URL with its password masked, fit for logs and error messages."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.render_as_string(hide_password=True)


def _redact_raw(raw: str) -> str:
    # An unparsable URL may still hold "user:secret@": mask anything between ':' and '@'.
    if "@" in raw and "://" in raw:
        scheme, rest = raw.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return raw


def create_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """An engine for the resolved URL, configured for the hub's needs on each backend."""
    resolved = url if isinstance(url, URL) else resolve_url(url)
    backend = resolved.get_backend_name()
    if backend == "sqlite":
        database = resolved.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = sa.create_engine(resolved, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(resolved, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy issue BEGIN itself (pysqlite's implicit transactions break SAVEPOINT
    # and defer locking); enforce foreign keys; WAL lets readers run beside the writer.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(conn: sa.Connection) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue instead of failing
    # half-way with "database is locked" on lock upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def database_errors(url: URL | str | None = None) -> Iterator[None]:
    """Translate driver errors into the hub's typed errors with one-line messages."""
    where = redacted_url(url) if url is not None else "the database"
    try:
        yield
    except exc.OperationalError as err:
        text = str(err.orig) if err.orig is not None else str(err)
        first = text.strip().splitlines()[0] if text.strip() else type(err).__name__
        if any(
            s in text
            for s in (
                "Connection refused",
                "could not connect",
                "connection failed",
                "could not translate host",
                "timeout expired",
                "No such file",
            )
        ):
            raise DatabaseUnreachable(f"cannot reach {where}: {first}") from err
        if "does not exist" in text and "database" in text:
            raise DatabaseUnreachable(f"cannot open {where}: {first}") from err
        raise StoreError(f"database error on {where}: {first}") from err
    except exc.ArgumentError as err:
        raise ConfigError(f"bad database URL {where}: {err}") from err
