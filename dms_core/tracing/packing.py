"""装箱 — packing: items into a case, an AggregationEvent ADD ``packing`` with the case's SSCC as
``parentID``. Only commissioned, unpacked items of the hub can be packed; an item already in
another case must be unpacked first (an AggregationEvent DELETE), so a case's content is never
rewritten silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from canonical_model.errors import InvalidIdentifier, ValidationError
from canonical_model.tables import utcnow
from dms_core.tracing.codes import DEFAULT_COMPANY_PREFIX_LENGTH, normalize_epc
from dms_core.tracing.events import Event, aggregation_event
from dms_core.tracing.store import known_codes, record_events

__all__ = ["pack", "unpack"]


def _case_and_items(case: str, items: Sequence[str], prefix_length: int) -> tuple[str, list[str]]:
    try:
        parent = normalize_epc(case, prefix_length)
        children = [normalize_epc(i, prefix_length) for i in items]
    except InvalidIdentifier as exc:
        raise ValidationError(f"packing refused: {exc}") from None
    if parent.kind != "case":
        raise ValidationError(f"packing refused: {case} is not a case code (SSCC)")
    if not children:
        raise ValidationError(f"packing refused: no items for case {parent.code}")
    return parent.code, list(dict.fromkeys(c.code for c in children))


def pack(
    conn: sa.Connection,
    case: str,
    items: Sequence[str],
    *,
    event_time: datetime | None = None,
    read_point: str | None = None,
    company_prefix_length: int = DEFAULT_COMPANY_PREFIX_LENGTH,
) -> Event:
    """Record ``items`` packed into ``case``; refuses unknown items and items in another case."""
    parent, children = _case_and_items(case, items, company_prefix_length)
    rows = known_codes(conn, children)
    unknown = [c for c in children if c not in rows]
    if unknown:
        raise ValidationError(
            f"packing refused: {len(unknown)} item(s) never commissioned, e.g. {unknown[0]}"
        )
    elsewhere = [c for c in children if rows[c].parent_code not in (None, parent)]
    if elsewhere:
        raise ValidationError(
            f"packing refused: {elsewhere[0]} is in case {rows[elsewhere[0]].parent_code}; unpack it first"
        )
    event = aggregation_event(
        "ADD", parent, children, event_time=event_time or utcnow(), biz_step="packing", read_point=read_point
    )
    record_events(conn, [event])
    return event


def unpack(
    conn: sa.Connection,
    case: str,
    items: Sequence[str],
    *,
    event_time: datetime | None = None,
    company_prefix_length: int = DEFAULT_COMPANY_PREFIX_LENGTH,
) -> Event:
    """Record ``items`` taken out of ``case`` (AggregationEvent DELETE ``unpacking``)."""
    parent, children = _case_and_items(case, items, company_prefix_length)
    event = aggregation_event(
        "DELETE", parent, children, event_time=event_time or utcnow(), biz_step="unpacking"
    )
    record_events(conn, [event])
    return event
