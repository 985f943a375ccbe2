"""签收 — a dealer's receipt compared with what was shipped to it for an order.

Expected codes are those of the order's shipping events to the dealer; cases on either side
count as the items packed in them, so a dealer may scan cartons or items. The received items
get a ``receiving`` event (``in_progress``); differences are recorded, never dropped: items
received but not shipped get a ``mismatch_instance`` event, items shipped but not received a
``mismatch_quantity`` event (each marked ``dmshub:mismatch`` extra/missing), and a
``receiving_mismatch`` alert names the dealer with the shipping and receiving events as evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from canonical_model.errors import InvalidIdentifier, ValidationError
from canonical_model.tables import trace_codes, trace_events, utcnow
from dms_core.tracing.alerts import AlertDraft, raise_alerts
from dms_core.tracing.codes import DEFAULT_COMPANY_PREFIX_LENGTH, normalize_epc
from dms_core.tracing.events import Event, object_event
from dms_core.tracing.lookups import chunks
from dms_core.tracing.store import record_events
from dms_core.tracing.vocab import EXT_MISMATCH, hub_uri, short_vocab

__all__ = ["Receipt", "receive"]

_LISTED = 50


@dataclass(frozen=True)
class Receipt:
    """The outcome of a receipt: its events, the differences, and the alert if any."""

    events: tuple[Event, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    alert_id: str | None


def _shipping_events(conn: sa.Connection, dealer_code: str, order_no: str) -> list[Event]:
    order = hub_uri("order", order_no)
    rows = conn.execute(
        sa.select(trace_events.c.document).where(
            trace_events.c.biz_step == "shipping",
            trace_events.c.owning_party == dealer_code,
            trace_events.c.error_declaration.is_(None),
        )
    ).scalars()
    return [
        doc
        for doc in rows
        if any(
            short_vocab(t.get("type")) == "po" and t.get("bizTransaction") == order
            for t in doc.get("bizTransactionList") or ()
        )
    ]


def _leaves(conn: sa.Connection, codes: set[str]) -> set[str]:
    """Cases replaced by the items packed in them (a case with no known items stays itself)."""
    contents: dict[str, set[str]] = {}
    for part in chunks(sorted(codes)):
        for row in conn.execute(
            sa.select(trace_codes.c.code, trace_codes.c.parent_code).where(
                trace_codes.c.parent_code.in_(part)
            )
        ):
            contents.setdefault(row.parent_code, set()).add(row.code)
    return set().union(*(contents.get(c, {c}) for c in codes)) if codes else set()


def receive(
    conn: sa.Connection,
    *,
    dealer_code: str,
    order_no: str,
    codes: Sequence[str],
    event_time: datetime | None = None,
    location_code: str | None = None,
    company_prefix_length: int = DEFAULT_COMPANY_PREFIX_LENGTH,
) -> Receipt:
    """Record the dealer's receipt of ``codes`` for ``order_no`` and any mismatch against the shipment."""
    try:
        received = {normalize_epc(c, company_prefix_length).code for c in codes}
    except InvalidIdentifier as exc:
        raise ValidationError(f"receipt refused: {exc}") from None
    shipped = _shipping_events(conn, dealer_code, order_no)
    if not shipped:
        raise ValidationError(f"receipt refused: nothing was shipped to {dealer_code} for order {order_no}")
    expected = _leaves(conn, {e for doc in shipped for e in doc.get("epcList") or ()})
    got = _leaves(conn, received)
    matched, missing, extra = sorted(got & expected), sorted(expected - got), sorted(got - expected)
    moment = event_time or utcnow()
    place = hub_uri("location", location_code) if location_code else None

    def observed(epcs: list[str], disposition: str, mismatch: str | None) -> Event:
        return object_event(
            "OBSERVE",
            epcs,
            event_time=moment,
            biz_step="receiving",
            disposition=disposition,
            biz_location=place,
            transactions=[("po", hub_uri("order", order_no))],
            destinations=[("owning_party", hub_uri("dealer", dealer_code))],
            extensions={EXT_MISMATCH: mismatch} if mismatch else None,
        )

    events = [
        observed(epcs, disposition, mismatch)
        for epcs, disposition, mismatch in (
            (matched, "in_progress", None),
            (extra, "mismatch_instance", "extra"),
            (missing, "mismatch_quantity", "missing"),
        )
        if epcs
    ]
    record_events(conn, events)
    alert_id = None
    if missing or extra:
        evidence = [e["eventID"] for e in shipped] + [e["eventID"] for e in events]
        details = {
            "order_no": order_no,
            "missing_count": len(missing),
            "extra_count": len(extra),
            "missing": missing[:_LISTED],
            "extra": extra[:_LISTED],
        }
        draft = AlertDraft(
            "receiving_mismatch", events[-1]["eventID"], evidence, dealer_code=dealer_code, details=details
        )
        alert_id = raise_alerts(conn, [draft])[0]
    return Receipt(tuple(events), tuple(missing), tuple(extra), alert_id)
