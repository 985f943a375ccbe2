"""Shared fixtures: every store test runs on the embedded SQLite default and on PostgreSQL.

PostgreSQL comes from ``DMSHUB_TEST_PG_URL`` (default: the local server on 127.0.0.1:5432,
database ``test``). Each test gets a schema of its own, dropped afterwards. Under CI
(``CI=true``) an unreachable PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from canonical_model.store.database import create_engine
from canonical_model.tables import metadata

PG_URL = os.environ.get("DMSHUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")

_pg_checked: dict[str, str | None] = {}


def _pg_unavailable_reason() -> str | None:
    if "reason" not in _pg_checked:
        try:
            probe = sa.create_engine(PG_URL, connect_args={"connect_timeout": 5})
            with probe.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            probe.dispose()
            _pg_checked["reason"] = None
        except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
            _pg_checked["reason"] = f"PostgreSQL at {make_url(PG_URL).render_as_string()} unreachable: {exc}"
    return _pg_checked["reason"]


def require_postgresql() -> None:
    """Skip locally, fail under CI, when PostgreSQL is not reachable."""
    reason = _pg_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true: PostgreSQL is required)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A URL whose search_path is a fresh, empty schema on the test PostgreSQL."""
    require_postgresql()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path}/dmshub.sqlite"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each backend in turn."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_schema_url"))
    return str(request.getfixturevalue("sqlite_url"))


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """An engine on each backend with every canonical table created."""
    metadata.create_all(empty_engine)
    return empty_engine


@pytest.fixture
def pg_engine(pg_schema_url: str) -> Iterator[Engine]:
    """PostgreSQL only, tables created: for COPY paths and row locking."""
    engine = create_engine(pg_schema_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server (its own SQLite) for the whole session's real flow runs.

    Starting it takes ~20 s on two cores; the 90 s timeout leaves room on a loaded machine.
    """
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
