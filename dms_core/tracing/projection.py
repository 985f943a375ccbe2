"""The ``trace_codes`` projection of newly stored events: what each business step changes.

=================  ==========================================================================
commissioning ADD  a code row per EPC (kind, GTIN, serial, SKU by GTIN, lot/expiry from ilmd)
aggregation        AggregationEvent ADD sets the children's ``parent_code``; DELETE clears it
shipping           status ``shipped``, owner = the owning_party dealer, order = the ``po``;
                   a case's items follow their case
receiving          status ``received`` (not for ``mismatch_*`` dispositions)
retail_selling     status ``sold``, ``scan_count`` + 1
inspecting         ``scan_count`` + 1
=================  ==========================================================================

Steps run in that order, each in event-time order, so one imported document that commissions,
packs and ships the same codes ends in the same state as three separate captures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from canonical_model.errors import ValidationError
from canonical_model.tables import products, trace_codes
from dms_core.tracing.codes import normalize_epc
from dms_core.tracing.lookups import MANY, unprepared
from dms_core.tracing.vocab import ILMD_EXPIRY, ILMD_LOT, parse_hub_uri, parse_time, short_vocab

__all__ = ["project"]

Event = Mapping[str, Any]
_PHASES: Final = ("commissioning", "packing", "shipping", "receiving", "retail_selling", "inspecting")


def _phase(event: Event) -> str | None:
    step = short_vocab(event.get("bizStep"))
    if event["type"] == "AggregationEvent":
        return "packing" if event["action"] in ("ADD", "DELETE") else None
    if step == "commissioning" and (event["type"] != "ObjectEvent" or event["action"] != "ADD"):
        return None
    return step if step in _PHASES else None


def _insert_codes(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), 1000):
        conn.execute(dialect.insert(trace_codes).on_conflict_do_nothing(), rows[start : start + 1000])


def _expiry(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"ilmd {ILMD_EXPIRY} {value!r} is not a date (YYYY-MM-DD)") from None


def _code_row(epc: str, now: datetime, status: str, **more: Any) -> dict[str, Any]:
    parsed = normalize_epc(epc)
    return {
        "code": parsed.code,
        "kind": parsed.kind,
        "gtin": parsed.gtin,
        "serial": parsed.serial,
        "status": status,
        "scan_count": 0,
        "created_at": now,
        "updated_at": now,
        **more,
    }


def _commission(conn: sa.Connection, events: list[Event], now: datetime) -> None:
    rows: list[dict[str, Any]] = []
    for event in events:
        ilmd = event.get("ilmd") or {}
        lot, expiry = ilmd.get(ILMD_LOT), _expiry(ilmd.get(ILMD_EXPIRY))
        rows += [_code_row(e, now, "commissioned", lot=lot, expiry_date=expiry) for e in event["epcList"]]
    gtins = sorted({r["gtin"] for r in rows if r["gtin"]})
    query = sa.select(products.c.gtin, products.c.sku).where(products.c.gtin.in_(gtins))
    sku_of: dict[str, str] = {r.gtin: r.sku for r in conn.execute(query)}
    for row in rows:
        row["sku"] = sku_of.get(row["gtin"])
    _insert_codes(conn, rows)


def _pack(conn: sa.Connection, events: list[Event], now: datetime) -> None:
    for event in events:
        parent, children = event["parentID"], list(event.get("childEPCs") or ())
        if event["action"] == "DELETE":
            where = trace_codes.c.parent_code == parent
            if children:
                where = where & trace_codes.c.code.in_(children)
            _update(
                conn, sa.update(trace_codes).where(where).values(parent_code=None, updated_at=now), children
            )
            continue
        _insert_codes(conn, [_code_row(parent, now, "commissioned")])
        _update(
            conn,
            sa.update(trace_codes)
            .where(trace_codes.c.code.in_(children))
            .values(parent_code=parent, updated_at=now),
            children,
        )


def _update(conn: sa.Connection, statement: sa.Update, codes: Sequence[str]) -> None:
    """Run ``statement``, restricted to ``codes``; planned for the actual list when it is long.

    A prepared statement's generic plan made while ``trace_codes`` was small scans the table
    comparing every row with every listed code: seconds per shipment of a thousand codes once
    the table has grown (see :func:`~dms_core.tracing.lookups.unprepared`).
    """
    if len(codes) < MANY:
        conn.execute(statement)
        return
    with unprepared(conn):
        conn.execute(statement)


def _with_contents(epcs: list[str]) -> sa.ColumnElement[bool]:
    """The codes themselves and the items packed in them."""
    return trace_codes.c.code.in_(epcs) | trace_codes.c.parent_code.in_(epcs)


def _ship(conn: sa.Connection, events: list[Event], now: datetime) -> None:
    for event in events:
        epcs = list(event.get("epcList") or ())
        owner = next(
            (
                parse_hub_uri(d["destination"], "dealer")
                for d in event.get("destinationList") or ()
                if short_vocab(d["type"]) == "owning_party"
            ),
            None,
        )
        order = next(
            (
                parse_hub_uri(t["bizTransaction"], "order")
                for t in event.get("bizTransactionList") or ()
                if short_vocab(t.get("type")) == "po"
            ),
            None,
        )
        _insert_codes(conn, [_code_row(e, now, "shipped") for e in epcs])
        values: dict[str, Any] = {"status": "shipped", "updated_at": now}
        if owner is not None:
            values["owner_dealer_code"] = owner
        if order is not None:
            values["order_no"] = order
        _update(conn, sa.update(trace_codes).where(_with_contents(epcs)).values(**values), epcs)


def _receive(conn: sa.Connection, events: list[Event], now: datetime) -> None:
    for event in events:
        if str(short_vocab(event.get("disposition")) or "").startswith("mismatch"):
            continue
        epcs = list(event.get("epcList") or ())
        _update(
            conn,
            sa.update(trace_codes).where(_with_contents(epcs)).values(status="received", updated_at=now),
            epcs,
        )


def _scan(conn: sa.Connection, events: list[Event], now: datetime) -> None:
    counts: Counter[str] = Counter()
    sold: set[str] = set()
    for event in events:
        selling = short_vocab(event.get("bizStep")) == "retail_selling"
        for epc in event.get("epcList") or ():
            counts[epc] += 1
            if selling:
                sold.add(epc)
    if not counts:
        return
    if conn.dialect.name == "postgresql" and len(counts) >= MANY:
        _scan_arrays(conn, counts, sold, now)
        return
    statement = (
        sa.update(trace_codes)
        .where(trace_codes.c.code == sa.bindparam("b_code"))
        .values(
            scan_count=trace_codes.c.scan_count + sa.bindparam("b_count", type_=sa.Integer),
            status=sa.case((sa.bindparam("b_sold", type_=sa.Boolean), "sold"), else_=trace_codes.c.status),
            updated_at=now,
        )
    )
    params = [{"b_code": c, "b_count": n, "b_sold": c in sold} for c, n in counts.items()]
    conn.execute(statement, params)


def _scan_arrays(conn: sa.Connection, counts: Counter[str], sold: set[str], now: datetime) -> None:
    """The same update as one statement: ``UPDATE … FROM unnest(codes, counts, sold)``.

    Three array parameters carry any number of codes, so a bulk of scans costs one round trip
    and one join instead of a statement per code.
    """
    codes = list(counts)
    given = (
        sa.func.unnest(
            sa.bindparam("codes", codes, type_=postgresql.ARRAY(sa.String)),
            sa.bindparam("counts", [counts[c] for c in codes], type_=postgresql.ARRAY(sa.Integer)),
            sa.bindparam("sold", [c in sold for c in codes], type_=postgresql.ARRAY(sa.Boolean)),
        )
        .table_valued(sa.column("code", sa.String), sa.column("n", sa.Integer), sa.column("sold", sa.Boolean))
        .render_derived(name="given")
    )
    statement = (
        sa.update(trace_codes)
        .where(trace_codes.c.code == given.c.code)
        .values(
            scan_count=trace_codes.c.scan_count + given.c.n,
            status=sa.case((given.c.sold, "sold"), else_=trace_codes.c.status),
            updated_at=now,
        )
    )
    with unprepared(conn):
        conn.execute(statement)


_APPLY: Final = {
    "commissioning": _commission,
    "packing": _pack,
    "shipping": _ship,
    "receiving": _receive,
}


def project(conn: sa.Connection, events: Sequence[Event], now: datetime) -> None:
    """Apply newly stored events (not error declarations) to ``trace_codes``."""
    by_phase: dict[str, list[Event]] = {}
    for event in sorted(events, key=lambda e: parse_time(e["eventTime"])):
        phase = _phase(event)
        if phase is not None:
            by_phase.setdefault(phase, []).append(event)
    for phase, apply in _APPLY.items():
        if by_phase.get(phase):
            apply(conn, by_phase[phase], now)
    scans = by_phase.get("retail_selling", []) + by_phase.get("inspecting", [])
    if scans:
        _scan(conn, scans, now)
