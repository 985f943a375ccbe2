"""EPCIS 2.0 documents out of the store: the events of a code, an order, a dealer or a time range.

A document is JSON-LD: ``@context`` (GS1's context plus the ``dmshub:`` prefix),
``type: EPCISDocument``, ``schemaVersion: "2.0"``, ``creationDate`` and
``epcisBody.eventList``. Events are exported exactly as recorded, with their error declaration
when one was made, oldest first, and every document is checked against GS1's schema before it
leaves (a failure there is a bug of the hub, raised loudly).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from canonical_model.errors import InvalidIdentifier, ValidationError
from canonical_model.tables import trace_codes, trace_event_epcs, trace_events, utcnow
from dms_core.epcis.schema import validate_document
from dms_core.tracing.chain import related_codes
from dms_core.tracing.codes import DEFAULT_COMPANY_PREFIX_LENGTH, normalize_epc
from dms_core.tracing.vocab import EPCIS_CONTEXT, format_time

__all__ = ["epcis_document", "export_document"]


def epcis_document(events: Sequence[dict[str, Any]], *, created: datetime | None = None) -> dict[str, Any]:
    """Wrap ``events`` in an EPCISDocument and validate it."""
    document = {
        "@context": EPCIS_CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": format_time(created or utcnow()),
        "epcisBody": {"eventList": list(events)},
    }
    validate_document(document)
    return document


def _codes_where(conn: sa.Connection, where: sa.ColumnElement[bool]) -> set[str]:
    return set(conn.execute(sa.select(trace_codes.c.code).where(where)).scalars())


def _events_naming(codes: set[str]) -> sa.Select[tuple[str]]:
    return sa.select(trace_event_epcs.c.event_id).where(trace_event_epcs.c.epc.in_(sorted(codes)))


def export_document(
    conn: sa.Connection,
    *,
    code: str | None = None,
    order_no: str | None = None,
    dealer_code: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    company_prefix_length: int = DEFAULT_COMPANY_PREFIX_LENGTH,
) -> dict[str, Any]:
    """The EPCISDocument of the events matching every filter given (at least one is needed).

    ``code``: the code's whole history (its cases and, for a case, its items); ``order_no``: the
    histories of the codes shipped on the order; ``dealer_code``: of the codes shipped to the
    dealer, plus the events naming it as owning party; ``since``/``until``: event time in
    ``[since, until)``.
    """
    if not any(v is not None for v in (code, order_no, dealer_code, since, until)):
        raise ValidationError("say what to export: a code, an order, a dealer or a time range")
    query = sa.select(trace_events.c.document, trace_events.c.error_declaration)
    if code is not None:
        try:
            urn = normalize_epc(code, company_prefix_length).code
        except InvalidIdentifier as exc:
            raise ValidationError(f"export: {exc}") from None
        query = query.where(trace_events.c.event_id.in_(_events_naming(related_codes(conn, {urn})[urn])))
    if order_no is not None:
        codes = _codes_where(conn, trace_codes.c.order_no == order_no)
        related = set().union(*related_codes(conn, codes).values()) if codes else set()
        query = query.where(trace_events.c.event_id.in_(_events_naming(related)))
    if dealer_code is not None:
        codes = _codes_where(conn, trace_codes.c.owner_dealer_code == dealer_code)
        related = set().union(*related_codes(conn, codes).values()) if codes else set()
        query = query.where(
            trace_events.c.event_id.in_(_events_naming(related))
            | (trace_events.c.owning_party == dealer_code)
        )
    if since is not None:
        query = query.where(trace_events.c.event_time >= since)
    if until is not None:
        query = query.where(trace_events.c.event_time < until)
    events = []
    for row in conn.execute(query.order_by(trace_events.c.event_time, trace_events.c.event_id)):
        event = dict(row.document)
        if row.error_declaration is not None:
            event["errorDeclaration"] = row.error_declaration
        events.append(event)
    return epcis_document(events)
