"""Corrections: an EPCIS ``errorDeclaration`` on a recorded event — never an edit.

The stored event document stays exactly as captured; the declaration (time, reason
``did_not_occur`` / ``incorrect_data``, corrective event ids) is kept beside it, exported with
the event, and takes the event out of evidence chains and scan histories. The corrective
events themselves are recorded as usual (e.g. a new shipping event to the right dealer).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa

from canonical_model.errors import ValidationError
from canonical_model.tables import trace_events, utcnow
from dms_core.tracing.vocab import format_time

__all__ = ["ERROR_REASONS", "declare_error"]

ERROR_REASONS: Final = ("did_not_occur", "incorrect_data")


def declare_error(
    conn: sa.Connection,
    event_id: str,
    reason: str,
    *,
    corrective_event_ids: Sequence[str] = (),
    declared_at: datetime | None = None,
) -> dict[str, Any]:
    """Declare ``event_id`` in error; returns the declaration. A second declaration is refused."""
    if reason not in ERROR_REASONS and ":" not in reason:
        raise ValidationError(f"error reason {reason!r}: use {' or '.join(ERROR_REASONS)} (or a URI)")
    row = conn.execute(
        sa.select(trace_events.c.error_declaration).where(trace_events.c.event_id == event_id)
    ).first()
    if row is None:
        raise ValidationError(f"no event {event_id!r}")
    if row.error_declaration is not None:
        raise ValidationError(f"event {event_id} already has an error declaration")
    known = set(
        conn.execute(
            sa.select(trace_events.c.event_id).where(trace_events.c.event_id.in_(list(corrective_event_ids)))
        ).scalars()
    )
    unknown = [i for i in corrective_event_ids if i not in known]
    if unknown:
        raise ValidationError(f"corrective event {unknown[0]!r} is not recorded; record it first")
    declaration: dict[str, Any] = {"declarationTime": format_time(declared_at or utcnow()), "reason": reason}
    if corrective_event_ids:
        declaration["correctiveEventIDs"] = list(corrective_event_ids)
    conn.execute(
        sa.update(trace_events)
        .where(trace_events.c.event_id == event_id)
        .values(error_declaration=declaration, updated_at=utcnow())
    )
    return declaration
