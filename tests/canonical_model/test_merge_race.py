"""PostgreSQL's merge takes a fast path (UPDATE, then INSERT of the new keys); a concurrent insert
of one of those keys must still end as an upsert, not as a failed batch."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.store.merge import MergeResult, merge_rows
from canonical_model.tables import products


def _waiting_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as conn:
        waiting = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    return bool(waiting)


def test_a_key_inserted_concurrently_is_updated_not_refused(pg_engine: Engine) -> None:
    with pg_engine.begin() as conn:
        merge_rows(conn, products, [{"sku": "SKU-OLD", "name": "there before"}])
    other = pg_engine.connect()
    other.begin()
    other.execute(products.insert().values(sku="SKU-RACE", name="the other writer's"))
    outcome: list[MergeResult | BaseException] = []

    def merge() -> None:
        try:
            with pg_engine.begin() as conn:
                rows = [
                    {"sku": "SKU-OLD", "name": "renamed"},
                    {"sku": "SKU-RACE", "name": "ours"},
                    {"sku": "SKU-NEW", "name": "new"},
                ]
                outcome.append(merge_rows(conn, products, rows))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            outcome.append(exc)

    worker = threading.Thread(target=merge)
    worker.start()
    deadline = time.monotonic() + 10
    while not _waiting_on_a_lock(pg_engine) and time.monotonic() < deadline:
        time.sleep(0.02)  # the merge's INSERT waits for the other writer's uncommitted key
    other.commit()
    other.close()
    worker.join(timeout=30)

    [result] = outcome
    assert isinstance(result, MergeResult), result
    assert (result.inserted, result.updated, result.unchanged) == (1, 2, 0)
    with pg_engine.connect() as conn:
        names = dict(conn.execute(sa.select(products.c.sku, products.c.name)).tuples().all())
    assert names == {"SKU-OLD": "renamed", "SKU-RACE": "ours", "SKU-NEW": "new"}
