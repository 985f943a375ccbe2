"""Generate an Alembic revision from the table definitions, diffed against PostgreSQL.

    python -m canonical_model.store.new_revision "add payment channel"

Uses a throw-away schema on ``$DMSHUB_TEST_PG_URL`` (default: the local test server),
migrated to head first, so the revision holds only what changed. Review it before you commit.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

from alembic import command

from canonical_model.store.database import create_engine
from canonical_model.store.migrations import alembic_config, upgrade


def _next_id() -> str:
    # Sequential ids (0001, 0002, ...) read better in `db status` than random hex.
    versions = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    return f"{len(list(versions.glob('[0-9]*.py'))) + 1:04d}"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__ or "")
        return 2
    base = os.environ.get("DMSHUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"rev_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = create_engine(f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}")
    try:
        upgrade(engine)
        with engine.begin() as conn:
            command.revision(alembic_config(conn), message=argv[0], autogenerate=True, rev_id=_next_id())
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
