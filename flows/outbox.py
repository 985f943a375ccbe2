"""Draining the outbox: approved orders become ERP sales orders, exactly once.

The ordering service writes a ``submit_order`` message in the same transaction that
approves an order. This drains them: each message is claimed (a lease, so a crashed
worker's message is picked up again after ``lease``), sent through its target's sink —
whose ``submit_order`` looks the order up by our reference before any retry, so a
timeout after the ERP committed never creates a second document — and on success the
ERP's document number is written back (``external_refs``, order ``released_to_erp``)
together with the message's ``sent`` status, in one transaction.

A retriable failure (timeout, 5xx, connection lost) is retried later with backoff; a
refusal (the ERP's E message, a bad document) marks the message ``dead`` with the
reason, for a person to look at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa

from canonical_model.errors import HubError
from canonical_model.tables import outbox, utcnow
from connectors.errors import RetriableConnectorError
from connectors.redaction import redact
from dms_core.ordering import mark_released

__all__ = ["DrainResult", "OrderSink", "drain_outbox"]

MAX_ATTEMPTS = 8


class OrderSink(Protocol):
    """What every ERP order sink offers (SAP RFC/OData, Oracle Fusion/EBS, FLUX, SFTP)."""

    def submit_order(self, document: Mapping[str, Any]) -> str:
        """Create the order at most once (keyed on ``order_no``); return the ERP's number."""
        ...


@dataclass
class DrainResult:
    sent: dict[str, str] = field(default_factory=dict)  # order_no → ERP document number
    retrying: dict[str, str] = field(default_factory=dict)  # order_no → error
    dead: dict[str, str] = field(default_factory=dict)  # order_no → error


def _claim(engine: sa.Engine, message_id: str, now: datetime, lease: timedelta) -> bool:
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(outbox)
            .where(
                outbox.c.message_id == message_id,
                sa.or_(
                    outbox.c.status.in_(("pending", "failed")),
                    sa.and_(outbox.c.status == "sending", outbox.c.next_attempt_at <= now),
                ),
            )
            .values(status="sending", attempts=outbox.c.attempts + 1, next_attempt_at=now + lease)
        )
        return done.rowcount == 1


def drain_outbox(
    engine: sa.Engine,
    sinks: Mapping[str, OrderSink],
    *,
    limit: int = 100,
    lease: timedelta = timedelta(minutes=10),
    clock: Callable[[], datetime] = utcnow,
    secrets: tuple[str, ...] = (),
) -> DrainResult:
    """Send up to ``limit`` due ``submit_order`` messages for the targets in ``sinks``."""
    now = clock()
    result = DrainResult()
    with engine.connect() as conn:
        due = conn.execute(
            sa.select(
                outbox.c.message_id, outbox.c.target, outbox.c.entity_key, outbox.c.payload, outbox.c.attempts
            )
            .where(
                outbox.c.kind == "submit_order",
                outbox.c.target.in_(list(sinks)),
                sa.or_(
                    outbox.c.status == "pending",
                    sa.and_(outbox.c.status.in_(("failed", "sending")), outbox.c.next_attempt_at <= now),
                ),
            )
            .order_by(outbox.c.created_at)
            .limit(limit)
        ).all()
    for message in due:
        if not _claim(engine, message.message_id, now, lease):
            continue  # another worker has it
        try:
            number = sinks[message.target].submit_order(message.payload)
        except HubError as exc:
            error = redact(f"{type(exc).__name__}: {exc}", secrets)
            retry = isinstance(exc, RetriableConnectorError) and message.attempts + 1 < MAX_ATTEMPTS
            backoff = timedelta(seconds=min(3600, 30 * 2**message.attempts))
            with engine.begin() as conn:
                conn.execute(
                    sa.update(outbox)
                    .where(outbox.c.message_id == message.message_id)
                    .values(
                        status="failed" if retry else "dead", last_error=error, next_attempt_at=now + backoff
                    )
                )
            (result.retrying if retry else result.dead)[message.entity_key] = error
            continue
        with engine.begin() as conn:
            mark_released(conn, message.entity_key, system=message.target, external_id=number, actor="outbox")
            conn.execute(
                sa.update(outbox)
                .where(outbox.c.message_id == message.message_id)
                .values(status="sent", external_ref=number, sent_at=clock(), last_error=None)
            )
        result.sent[message.entity_key] = number
    return result
