"""Turning inbox rows (verified webhook deliveries) into canonical changes, exactly once.

Each row is processed in its own transaction: the changes are merged (keyed on natural
keys, so a repeat changes nothing) and the row is marked ``processed`` in that same
transaction. A crash anywhere leaves the row ``received`` and the next run processes it;
it can never be applied twice. On PostgreSQL rows are claimed with ``FOR UPDATE SKIP
LOCKED`` so several workers can drain one inbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from canonical_model.errors import HubError
from canonical_model.store.merge import merge_rows
from canonical_model.tables import inbox, table, utcnow
from connectors.webhook import WebhookReceiver

__all__ = ["InboxResult", "process_inbox"]

MAX_ATTEMPTS = 5


@dataclass
class InboxResult:
    processed: int = 0
    failed: int = 0
    unknown: int = 0


def _claim(conn: sa.Connection, connector: str, event_id: str) -> Any:
    query = sa.select(inbox).where(
        inbox.c.connector == connector,
        inbox.c.event_id == event_id,
        inbox.c.status.in_(("received", "failed")),
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return conn.execute(query).first()


def process_inbox(
    engine: sa.Engine, receivers: Mapping[str, WebhookReceiver], *, limit: int = 1000
) -> InboxResult:
    """Process up to ``limit`` pending deliveries, oldest first."""
    result = InboxResult()
    with engine.connect() as conn:
        pending = conn.execute(
            sa.select(inbox.c.connector, inbox.c.event_id)
            .where(inbox.c.status.in_(("received", "failed")), inbox.c.attempts < MAX_ATTEMPTS)
            .order_by(inbox.c.received_at, inbox.c.event_id)
            .limit(limit)
        ).all()
    for connector, event_id in pending:
        receiver = receivers.get(connector)
        if receiver is None:
            result.unknown += 1
            continue
        try:
            with engine.begin() as conn:
                row = _claim(conn, connector, event_id)
                if row is None:  # another worker has it, or it is already done
                    continue
                event = receiver.parse(row.headers or {}, row.body.encode("utf-8", errors="surrogateescape"))
                _apply(conn, connector, event.event_id, receiver.to_changes(event))
                conn.execute(
                    sa.update(inbox)
                    .where(inbox.c.connector == connector, inbox.c.event_id == event_id)
                    .values(
                        status="processed", processed_at=utcnow(), attempts=inbox.c.attempts + 1, error=None
                    )
                )
            result.processed += 1
        except HubError as exc:
            with engine.begin() as conn:
                conn.execute(
                    sa.update(inbox)
                    .where(inbox.c.connector == connector, inbox.c.event_id == event_id)
                    .values(
                        status="failed", attempts=inbox.c.attempts + 1, error=f"{type(exc).__name__}: {exc}"
                    )
                )
            result.failed += 1
    return result


def _apply(conn: sa.Connection, connector: str, event_id: str, changes: list[dict[str, Any]]) -> None:
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        row = dict(change["row"])
        for column, rank in (change.get("keep_furthest") or {}).items():
            _keep_furthest(conn, table(str(change["entity"])), row, column, rank)
        by_entity.setdefault(str(change["entity"]), []).append(row)
    for entity, rows in by_entity.items():
        merge_rows(conn, table(entity), rows, lineage={"source_system": connector, "source_key": event_id})


def _keep_furthest(
    conn: sa.Connection, target: sa.Table, row: dict[str, Any], column: str, rank: Mapping[str, int]
) -> None:
    """Keep the stored ``column`` when the row's value is not further along (out-of-order events)."""
    query = sa.select(target.c[column]).where(*(c == row[c.name] for c in target.primary_key.columns))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    current = conn.execute(query).scalar_one_or_none()
    if current is not None and rank.get(str(row.get(column)), -1) <= rank.get(str(current), -1):
        row[column] = current
