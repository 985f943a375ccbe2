"""The evidence chain of a code: the ids of the events that name it, its case(s) or, for a case,
its items — commissioning, packing, shipping, receiving and earlier scans — oldest first, up to
a moment. Events withdrawn by an error declaration are left out: a chain is what stands.

This is the EPCIS ``/epcs/{epc}/events`` walk of the design, done for many codes at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from canonical_model.tables import trace_codes, trace_event_epcs, trace_events
from dms_core.tracing.lookups import chunks

__all__ = ["evidence_chains", "related_codes"]

_MAX_DEPTH = 4  # item → case → pallet → …; deeper is a data error, not a chain


def related_codes(conn: sa.Connection, codes: set[str]) -> dict[str, set[str]]:
    """For each code: itself, the cases above it and, for a case, the items in it."""
    related = {code: {code} for code in codes}
    frontier = {code: code for code in codes}  # current ancestor → the code it belongs to
    for _ in range(_MAX_DEPTH):
        if not frontier:
            break
        rows = conn.execute(
            sa.select(trace_codes.c.code, trace_codes.c.parent_code).where(
                trace_codes.c.code.in_(sorted(frontier)), trace_codes.c.parent_code.is_not(None)
            )
        ).all()
        frontier_next: dict[str, str] = {}
        for row in rows:
            owner = frontier[row.code]
            related[owner].add(row.parent_code)
            frontier_next[row.parent_code] = owner
        frontier = frontier_next
    for part in chunks(sorted(codes)):
        for row in conn.execute(
            sa.select(trace_codes.c.code, trace_codes.c.parent_code).where(
                trace_codes.c.parent_code.in_(part)
            )
        ):
            related[row.parent_code].add(row.code)
    return related


def evidence_chains(conn: sa.Connection, wanted: Sequence[tuple[str, datetime]]) -> list[list[str]]:
    """For each ``(code, until)``: the ids of the code's events at or before ``until``, oldest first."""
    related = related_codes(conn, {code for code, _until in wanted})
    epcs = sorted(set().union(*related.values())) if related else []
    events: dict[str, list[tuple[datetime, str]]] = {}
    for part in chunks(epcs):
        rows = conn.execute(
            sa.select(trace_event_epcs.c.epc, trace_events.c.event_id, trace_events.c.event_time)
            .join(trace_events, trace_events.c.event_id == trace_event_epcs.c.event_id)
            .where(trace_event_epcs.c.epc.in_(part), trace_events.c.error_declaration.is_(None))
        )
        for row in rows:
            events.setdefault(row.epc, []).append((row.event_time, row.event_id))
    chains: list[list[str]] = []
    for code, until in wanted:
        found = {(t, i) for epc in related[code] for t, i in events.get(epc, ()) if t <= until}
        chains.append([i for _t, i in sorted(found)])
    return chains
