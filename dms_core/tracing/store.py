"""Storing EPCIS events: ``trace_events`` (the event JSON), ``trace_event_epcs`` (one row per EPC
it names) and the ``trace_codes`` projection (status, owner, case, scan count).

:func:`record_events` is the one way in — builders, the EPCIS importer and terminal scans all
use it — so a code's state always follows from its events. It is idempotent on ``eventID``: an
event already stored is skipped (and not projected again). Everything is set-based: one lookup
of existing ids, bulk inserts (``COPY`` on PostgreSQL, through
:func:`~canonical_model.store.bulk_insert.insert_rows`), and a handful of bulk updates for the
projection. Lookups by many keys go through :func:`~dms_core.tracing.lookups.select_in`: one
query on PostgreSQL however many keys there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from canonical_model.store.bulk_insert import insert_rows
from canonical_model.tables import trace_codes, trace_event_epcs, trace_events, utcnow
from dms_core.tracing.events import Event, event_hash_id
from dms_core.tracing.lookups import MANY, chunks, select_in
from dms_core.tracing.projection import project
from dms_core.tracing.vocab import EXT_REGION, parse_hub_uri, parse_time, short_vocab

__all__ = ["Recorded", "epcs_of", "existing_event_ids", "insert_ignoring", "known_codes", "record_events"]


@dataclass(frozen=True)
class Recorded:
    """What :func:`record_events` did: ids stored now, and ids that were already there."""

    inserted: tuple[str, ...]
    existing: tuple[str, ...]


def epcs_of(event: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(epc, role)`` for every EPC the event names: ``epc``, ``parent`` or ``child``."""
    found = [(e, "epc") for e in event.get("epcList") or ()]
    if event.get("parentID"):
        found.append((event["parentID"], "parent"))
    found += [(e, "child") for e in event.get("childEPCs") or ()]
    return list(dict.fromkeys(found))


def insert_ignoring(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Bulk insert, skipping rows whose primary key is already there (both backends)."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for part in chunks(rows, 1000):
        conn.execute(dialect.insert(table).on_conflict_do_nothing(), list(part))


def _owning_party(event: Mapping[str, Any]) -> str | None:
    for dest in event.get("destinationList") or ():
        if short_vocab(dest.get("type")) == "owning_party":
            return parse_hub_uri(dest.get("destination"), "dealer")
    return None


def _row(event: Event, now: datetime, source_system: str, source_key: str | None) -> dict[str, Any]:
    region = event.get(EXT_REGION)
    return {
        "event_id": event["eventID"],
        "event_type": event["type"],
        "action": event["action"],
        "biz_step": short_vocab(event.get("bizStep")),
        "disposition": short_vocab(event.get("disposition")),
        "event_time": parse_time(event["eventTime"]),
        "event_time_zone_offset": event["eventTimeZoneOffset"],
        "record_time": now,
        "read_point": (event.get("readPoint") or {}).get("id"),
        "biz_location": (event.get("bizLocation") or {}).get("id"),
        "region_code": region if isinstance(region, str) else None,
        "owning_party": _owning_party(event),
        "parent_id": event.get("parentID"),
        # The event as captured; a declaration lives beside it (see corrections.py).
        "document": {k: v for k, v in event.items() if k != "errorDeclaration"},
        "source_system": source_system,
        "source_key": source_key,
        "created_at": now,
        "updated_at": now,
    }


def _insert(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Bulk rows by COPY (:func:`insert_rows`); a few by one INSERT, which spares COPY's set-up."""
    if len(rows) >= MANY:
        insert_rows(conn, table, rows)
    elif rows:
        conn.execute(table.insert(), list(rows))


def existing_event_ids(conn: sa.Connection, ids: Sequence[str]) -> set[str]:
    """The ids among ``ids`` that are stored already."""
    query = sa.select(trace_events.c.event_id)
    return {row.event_id for row in select_in(conn, query, trace_events.c.event_id, list(ids))}


def record_events(
    conn: sa.Connection,
    events: Iterable[Event],
    *,
    source_system: str = "dmshub",
    source_key: str | None = None,
) -> Recorded:
    """Store ``events`` (EPCIS 2.0 dicts, EPCs already normalised) and project them onto trace codes.

    An event without ``eventID`` gets its hash id. Runs in the caller's transaction.
    """
    batch: dict[str, Event] = {}
    for event in events:
        if not event.get("eventID"):
            event = {**event, "eventID": event_hash_id(event)}
        batch.setdefault(event["eventID"], event)
    existing = existing_event_ids(conn, list(batch))
    fresh = [e for i, e in batch.items() if i not in existing]
    now = utcnow()
    if fresh:
        rows = [_row(e, now, source_system, source_key) for e in fresh]
        # A JSON column given None stores JSON null; leaving it out stores SQL NULL, which is
        # what "no declaration" filters (``IS NULL``) look for.
        plain = [r for r, e in zip(rows, fresh, strict=True) if not e.get("errorDeclaration")]
        declared = [
            {**r, "error_declaration": e["errorDeclaration"]}
            for r, e in zip(rows, fresh, strict=True)
            if e.get("errorDeclaration")
        ]
        for part in (plain, declared):
            _insert(conn, trace_events, part)
        epc_rows = [
            {"event_id": e["eventID"], "epc": epc, "role": role} for e in fresh for epc, role in epcs_of(e)
        ]
        _insert(conn, trace_event_epcs, epc_rows)
        project(conn, [e for e in fresh if not e.get("errorDeclaration")], now)
    return Recorded(tuple(e["eventID"] for e in fresh), tuple(i for i in batch if i in existing))


def known_codes(conn: sa.Connection, codes: Iterable[str]) -> dict[str, Any]:
    """``trace_codes`` rows by code, for the codes that exist."""
    rows = select_in(conn, sa.select(trace_codes), trace_codes.c.code, sorted(set(codes)))
    return {row.code: row for row in rows}
