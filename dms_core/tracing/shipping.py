"""出库绑定 — binding codes to a dealer and an order at shipment: ObjectEvent OBSERVE ``shipping`` /
``in_transit`` with the dealer as ``owning_party`` in ``destinationList`` and the order (``po``)
and delivery (``desadv``) in ``bizTransactionList``. The owning party of a code's last shipping
event is the dealer answerable for where it turns up.

:func:`bind_shipped_codes` does the same for codes the WMS reported shipped (the ``wms-sftp``
``trace_codes`` mapping writes them with status ``shipped``, dealer and order, but no event):
one shipping event per dealer and order listing the cases and loose items, preceded by the
packing events the confirmation implies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from canonical_model.errors import InvalidIdentifier, ValidationError
from canonical_model.tables import dealers, shipments, trace_codes, trace_event_epcs, trace_events, utcnow
from dms_core.tracing.codes import DEFAULT_COMPANY_PREFIX_LENGTH, normalize_epc
from dms_core.tracing.events import Event, aggregation_event, object_event
from dms_core.tracing.store import known_codes, record_events
from dms_core.tracing.vocab import hub_uri

__all__ = ["bind_shipped_codes", "ship", "shipping_event"]


def shipping_event(
    codes: Sequence[str],
    *,
    dealer_code: str,
    order_no: str | None,
    delivery_no: str | None,
    event_time: datetime,
    read_point: str | None = None,
) -> Event:
    """The EPCIS shipping event binding ``codes`` (URNs) to a dealer, order and delivery."""
    transactions = [("po", hub_uri("order", order_no))] if order_no else []
    if delivery_no:
        transactions.append(("desadv", hub_uri("delivery", delivery_no)))
    return object_event(
        "OBSERVE",
        list(codes),
        event_time=event_time,
        biz_step="shipping",
        disposition="in_transit",
        read_point=read_point,
        transactions=transactions,
        destinations=[("owning_party", hub_uri("dealer", dealer_code))],
    )


def ship(
    conn: sa.Connection,
    codes: Sequence[str],
    *,
    dealer_code: str,
    order_no: str | None = None,
    delivery_no: str | None = None,
    event_time: datetime | None = None,
    read_point: str | None = None,
    company_prefix_length: int = DEFAULT_COMPANY_PREFIX_LENGTH,
) -> Event:
    """Bind ``codes`` (cases or items the hub knows) to ``dealer_code`` and record the shipping event."""
    try:
        urns = list(dict.fromkeys(normalize_epc(c, company_prefix_length).code for c in codes))
    except InvalidIdentifier as exc:
        raise ValidationError(f"shipping refused: {exc}") from None
    if not urns:
        raise ValidationError("shipping refused: no codes")
    if conn.execute(sa.select(dealers.c.code).where(dealers.c.code == dealer_code)).first() is None:
        raise ValidationError(f"shipping refused: no dealer {dealer_code!r}")
    known = known_codes(conn, urns)
    unknown = [c for c in urns if c not in known]
    if unknown:
        raise ValidationError(
            f"shipping refused: {len(unknown)} code(s) never commissioned, e.g. {unknown[0]}"
        )
    event = shipping_event(
        urns,
        dealer_code=dealer_code,
        order_no=order_no,
        delivery_no=delivery_no,
        event_time=event_time or utcnow(),
        read_point=read_point,
    )
    record_events(conn, [event])
    return event


def _unbound(conn: sa.Connection) -> list[Any]:
    """Shipped codes with a dealer but no shipping event naming them or the case they are in."""

    def shipping_names(column: sa.ColumnElement[str | None]) -> sa.Exists:
        return (
            sa.select(trace_event_epcs.c.epc)
            .join(trace_events, trace_events.c.event_id == trace_event_epcs.c.event_id)
            .where(trace_events.c.biz_step == "shipping", trace_event_epcs.c.epc == column)
            .exists()
        )

    return list(
        conn.execute(
            sa.select(trace_codes)
            .where(
                trace_codes.c.status == "shipped",
                trace_codes.c.owner_dealer_code.is_not(None),
                trace_codes.c.deleted_at.is_(None),
                ~shipping_names(trace_codes.c.code),
                ~shipping_names(trace_codes.c.parent_code),
            )
            .order_by(trace_codes.c.code)
        )
    )


def _shipped_at(conn: sa.Connection, order_no: str | None, fallback: datetime) -> tuple[datetime, str | None]:
    if order_no is None:
        return fallback, None
    found = conn.execute(
        sa.select(shipments.c.shipment_no, shipments.c.shipped_at)
        .where(shipments.c.order_no == order_no)
        .order_by(shipments.c.shipped_at, shipments.c.shipment_no)
    ).first()
    if found is None:
        return fallback, None
    return found.shipped_at or fallback, found.shipment_no


def bind_shipped_codes(conn: sa.Connection) -> list[Event]:
    """Shipping (and implied packing) events for WMS-shipped codes that have none yet; returns them."""
    groups: dict[tuple[str, str | None], list[Any]] = {}
    for row in _unbound(conn):
        groups.setdefault((row.owner_dealer_code, row.order_no), []).append(row)
    events: list[Event] = []
    for (dealer_code, order_no), rows in groups.items():
        when, delivery_no = _shipped_at(conn, order_no, min(r.created_at for r in rows))
        cases = {r.code for r in rows if r.kind == "case"}
        contents: dict[str, list[str]] = {}
        loose: list[str] = []
        for r in rows:
            if r.kind == "item" and r.parent_code in cases:
                contents.setdefault(r.parent_code, []).append(r.code)
            elif r.kind == "item":
                loose.append(r.code)
        events += [
            aggregation_event("ADD", case, items, event_time=when, biz_step="packing")
            for case, items in sorted(contents.items())
        ]
        events.append(
            shipping_event(
                sorted(cases) + loose,
                dealer_code=dealer_code,
                order_no=order_no,
                delivery_no=delivery_no,
                event_time=when,
            )
        )
    record_events(conn, events, source_system="wms-sftp")
    return events
