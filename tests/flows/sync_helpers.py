"""Shared by the sync-engine tests: the sample source, its test mapping, expected rows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from canonical_model.tables import quarantine, stock_levels, sync_state
from connectors.sample.source import SampleSource
from flows.sync.engine import SyncRequest

MAPPINGS = Path(__file__).parent / "mappings"
API_KEY = "sk_sample_canary-3f9a1c"


def request(count: int, *, page_size: int = 100, **kwargs: Any) -> SyncRequest:
    return SyncRequest(
        connector="sample",
        config={"count": count, "page_size": page_size, "api_key": API_KEY},
        mapping_dirs=(MAPPINGS,),
        **kwargs,
    )


def source() -> SampleSource:
    return SampleSource()


def expected_skus(count: int) -> set[str]:
    """Items whose qty (i % 7) is not the rejected 6."""
    return {str(i) for i in range(1, count + 1) if i % 7 != 6}


def loaded(conn: sa.Connection) -> dict[str, Decimal]:
    rows = conn.execute(
        sa.select(stock_levels.c.sku, stock_levels.c.on_hand).where(stock_levels.c.deleted_at.is_(None))
    )
    return {sku: on_hand for sku, on_hand in rows}


def quarantined(conn: sa.Connection) -> list[str]:
    """SKUs of the quarantined rows (record keys read location|sku|lot)."""
    return sorted(key.split("|")[1] for key in conn.execute(sa.select(quarantine.c.record_key)).scalars())


def saved_state(conn: sa.Connection) -> dict[str, Any] | None:
    return conn.execute(sa.select(sync_state.c.state).where(sync_state.c.connector == "sample")).scalar()
