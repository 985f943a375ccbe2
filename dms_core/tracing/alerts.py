"""Channel alerts of the tracing rules (counterfeit, duplication, diversion, receiving mismatch)
and the freeze policy.

Raising is idempotent: an alert's id is a hash of its kind, code, dealer and triggering event,
and while an open alert of the same kind for the same code and dealer exists no second one is
raised. A policy may freeze the responsible dealer (status ``frozen``, which the ordering
pipeline refuses); the alert remembers that in ``dealer_frozen``. Resolving or dismissing is a
brand decision; the dealer is unfrozen when no other open alert holds it frozen. A dealer frozen
by hand (no open freezing alert) is never frozen or unfrozen by an alert.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from canonical_model.errors import ValidationError
from canonical_model.tables import ALERT_KINDS, ALERT_STATUSES, channel_alerts, dealers, utcnow

__all__ = ["AlertDraft", "alert_id_for", "dismiss_alert", "list_alerts", "raise_alerts", "resolve_alert"]


@dataclass(frozen=True)
class AlertDraft:
    """An alert to raise; ``freeze`` asks the policy's question for its dealer."""

    kind: str
    event_id: str | None
    evidence: Sequence[str]
    code: str | None = None
    dealer_code: str | None = None
    sku: str | None = None
    region_code: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    freeze: bool = False


def alert_id_for(kind: str, code: str | None, dealer_code: str | None, event_id: str | None) -> str:
    """A stable id: the same finding on the same event is the same alert."""
    text = "|".join((kind, code or "", dealer_code or "", event_id or ""))
    return "AL-" + hashlib.sha256(text.encode()).hexdigest()[:24]


def _open_keys(
    conn: sa.Connection, drafts: Sequence[AlertDraft]
) -> dict[tuple[str, str | None, str | None], str]:
    codes = sorted({d.code for d in drafts if d.code})
    query = sa.select(
        channel_alerts.c.alert_id, channel_alerts.c.kind, channel_alerts.c.code, channel_alerts.c.dealer_code
    ).where(channel_alerts.c.status == "open")
    query = query.where(channel_alerts.c.code.in_(codes)) if codes else query.where(sa.false())
    return {(r.kind, r.code, r.dealer_code): r.alert_id for r in conn.execute(query)}


def _holds_frozen(conn: sa.Connection, dealer_code: str) -> bool:
    return (
        conn.execute(
            sa.select(channel_alerts.c.alert_id)
            .where(
                channel_alerts.c.dealer_code == dealer_code,
                channel_alerts.c.status == "open",
                channel_alerts.c.dealer_frozen.is_(True),
            )
            .limit(1)
        ).first()
        is not None
    )


def _freeze(conn: sa.Connection, dealer_code: str) -> bool:
    """Freeze an active dealer; True when the alert now holds it frozen."""
    status = conn.execute(sa.select(dealers.c.status).where(dealers.c.code == dealer_code)).scalar()
    if status == "active":
        conn.execute(
            sa.update(dealers)
            .where(dealers.c.code == dealer_code)
            .values(status="frozen", updated_at=utcnow())
        )
        return True
    return status == "frozen" and _holds_frozen(conn, dealer_code)


def raise_alerts(
    conn: sa.Connection, drafts: Sequence[AlertDraft], *, at: datetime | None = None
) -> list[str]:
    """Store ``drafts`` (skipping ones already open); returns each draft's alert id, new or existing.

    Set-based: one lookup of open alerts, one of existing ids, one bulk insert.
    """
    now = at or utcnow()
    open_keys = _open_keys(conn, drafts)
    wanted = [alert_id_for(d.kind, d.code, d.dealer_code, d.event_id) for d in drafts]
    stored = set(
        conn.execute(
            sa.select(channel_alerts.c.alert_id).where(channel_alerts.c.alert_id.in_(wanted))
        ).scalars()
    )
    frozen_now: dict[str, bool] = {}
    rows: list[dict[str, Any]] = []
    ids: list[str] = []
    for draft, alert_id in zip(drafts, wanted, strict=True):
        if draft.kind not in ALERT_KINDS:
            raise ValidationError(f"unknown alert kind {draft.kind!r}")
        key = (draft.kind, draft.code, draft.dealer_code)
        if key in open_keys:
            ids.append(open_keys[key])
            continue
        ids.append(alert_id)
        if alert_id in stored:
            continue
        frozen = False
        if draft.freeze and draft.dealer_code:
            if draft.dealer_code not in frozen_now:
                frozen_now[draft.dealer_code] = _freeze(conn, draft.dealer_code)
            frozen = frozen_now[draft.dealer_code]
        rows.append(
            {
                "alert_id": alert_id,
                "kind": draft.kind,
                "status": "open",
                "dealer_code": draft.dealer_code,
                "sku": draft.sku,
                "code": draft.code,
                "region_code": draft.region_code,
                "event_id": draft.event_id,
                "evidence": list(draft.evidence),
                "details": draft.details or None,
                "dealer_frozen": frozen,
                "raised_at": now,
                "source_system": "dmshub",
                "created_at": now,
                "updated_at": now,
            }
        )
        open_keys[key] = alert_id
        stored.add(alert_id)
    if rows:
        conn.execute(channel_alerts.insert(), rows)
    return ids


def list_alerts(
    conn: sa.Connection,
    *,
    kind: str | None = None,
    status: str | None = None,
    dealer_code: str | None = None,
    since: datetime | None = None,
    alert_id: str | None = None,
    visible_dealers: sa.Select[tuple[str]] | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Alerts newest first; ``visible_dealers`` (a dealer key's subtree) hides the rest of the network."""
    if kind is not None and kind not in ALERT_KINDS:
        raise ValidationError(f"unknown alert kind {kind!r}; known: {', '.join(ALERT_KINDS)}")
    if status is not None and status not in ALERT_STATUSES:
        raise ValidationError(f"unknown alert status {status!r}; known: {', '.join(ALERT_STATUSES)}")
    query = (
        sa.select(channel_alerts)
        .order_by(channel_alerts.c.raised_at.desc(), channel_alerts.c.alert_id)
        .limit(limit)
    )
    for column, value in (
        ("kind", kind),
        ("status", status),
        ("dealer_code", dealer_code),
        ("alert_id", alert_id),
    ):
        if value is not None:
            query = query.where(channel_alerts.c[column] == value)
    if since is not None:
        query = query.where(channel_alerts.c.raised_at >= since)
    if visible_dealers is not None:
        query = query.where(channel_alerts.c.dealer_code.in_(visible_dealers))
    return [_view(r) for r in conn.execute(query)]


def _view(row: Any) -> dict[str, Any]:
    data = {
        k: v
        for k, v in row._mapping.items()
        if k
        not in (
            "source_key",
            "sync_run_id",
            "payload_hash",
            "deleted_at",
            "created_at",
            "updated_at",
            "source_system",
        )
    }
    for key in ("raised_at", "resolved_at"):
        data[key] = None if data[key] is None else data[key].isoformat()
    return data


def _close(
    conn: sa.Connection, alert_id: str, status: Literal["resolved", "dismissed"], by: str, note: str | None
) -> dict[str, Any]:
    if not by.strip():
        raise ValidationError("say who resolves the alert (--by)")
    row = conn.execute(sa.select(channel_alerts).where(channel_alerts.c.alert_id == alert_id)).first()
    if row is None:
        raise ValidationError(f"no alert {alert_id!r}")
    if row.status != "open":
        raise ValidationError(f"alert {alert_id} is already {row.status}")
    now = utcnow()
    conn.execute(
        sa.update(channel_alerts)
        .where(channel_alerts.c.alert_id == alert_id)
        .values(
            status=status,
            resolved_at=now,
            resolved_by=by.strip()[:64],
            resolution=(note or None),
            updated_at=now,
        )
    )
    if row.dealer_frozen and row.dealer_code and not _holds_frozen(conn, row.dealer_code):
        conn.execute(
            sa.update(dealers)
            .where(dealers.c.code == row.dealer_code, dealers.c.status == "frozen")
            .values(status="active", updated_at=now)
        )
    return _view(conn.execute(sa.select(channel_alerts).where(channel_alerts.c.alert_id == alert_id)).one())


def resolve_alert(conn: sa.Connection, alert_id: str, *, by: str, note: str | None = None) -> dict[str, Any]:
    """Close an open alert as handled; unfreezes its dealer unless another open alert holds it."""
    return _close(conn, alert_id, "resolved", by, note)


def dismiss_alert(conn: sa.Connection, alert_id: str, *, by: str, note: str | None = None) -> dict[str, Any]:
    """Close an open alert as a false alarm; unfreezes like :func:`resolve_alert`."""
    return _close(conn, alert_id, "dismissed", by, note)
