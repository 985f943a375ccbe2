"""Delivery reconciliation (对账): what was shipped against what the dealer accepted.

Per delivery (a ``shipments`` row of one of the dealer's orders, in the period of its
``shipped_at``, or ``delivered_at`` when it has none):

- **Quantities**: per SKU, ``shipment_lines.qty`` against the signed ``accepted_qty``
  (``None`` = not signed yet, reported as ``not_accepted``).
- **Codes**: the EPCs of the delivery's ``shipping`` events against those of its
  ``receiving`` / ``accepting`` events (``trace_event_epcs``). Events declared in error
  are ignored. An event belongs to a delivery when its EPCIS ``bizTransactionList``
  names the shipment number (``desadv``, the GS1 delivery reference; any type is
  accepted for the shipment number), or, for shipping events, the order number as ``po``
  when the order has a single shipment. A receiving event that names no delivery is
  matched by the codes it shares with the shipping events. Case codes (SSCC) with known
  contents (``trace_codes.parent_code``) are compared by their items, so a case shipped
  and its items received reconcile. Without any receiving scan, codes are not compared
  (``no_receipt_scan`` once the delivery was signed for).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from canonical_model.tables import (
    orders,
    shipment_lines,
    shipments,
    trace_codes,
    trace_event_epcs,
    trace_events,
)
from dms_core.channel.periods import Period

__all__ = [
    "REPORT_COLUMNS",
    "DeliveryCheck",
    "LineCheck",
    "ReconciliationReport",
    "reconcile_deliveries",
    "report_rows",
]

SHIPPING_STEPS = ("shipping",)
RECEIVING_STEPS = ("receiving", "accepting")
# Scans happen around the shipment's own timestamps; acceptance can lag by weeks.
_BEFORE = timedelta(days=7)
_AFTER = timedelta(days=60)

REPORT_COLUMNS = (
    "dealer_code",
    "period",
    "shipment_no",
    "order_no",
    "kind",
    "sku",
    "shipped_qty",
    "accepted_qty",
    "difference",
    "code",
)
"""Columns of :func:`report_rows`, in CSV order."""


@dataclass(frozen=True, slots=True)
class LineCheck:
    """One SKU of a delivery: shipped against accepted (``None`` = not signed yet)."""

    sku: str
    shipped_qty: Decimal
    accepted_qty: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        """accepted − shipped (negative: short)."""
        return None if self.accepted_qty is None else self.accepted_qty - self.shipped_qty

    @property
    def status(self) -> str:
        """``not_accepted``, ``ok``, ``qty_short`` or ``qty_over``."""
        diff = self.difference
        if diff is None:
            return "not_accepted"
        return "ok" if diff == 0 else ("qty_short" if diff < 0 else "qty_over")


@dataclass(frozen=True, slots=True)
class DeliveryCheck:
    """One delivery reconciled: its lines and the codes missing from or extra in the receipt."""

    shipment_no: str
    order_no: str
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    lines: tuple[LineCheck, ...]
    shipped_codes: int
    received_codes: int
    receipt_scanned: bool
    missing_codes: tuple[str, ...]
    extra_codes: tuple[str, ...]

    @property
    def signed(self) -> bool:
        """Every line has an accepted quantity."""
        return bool(self.lines) and all(line.accepted_qty is not None for line in self.lines)

    @property
    def no_receipt_scan(self) -> bool:
        """Coded goods were signed for but never scanned in."""
        return self.shipped_codes > 0 and not self.receipt_scanned and self.signed

    @property
    def ok(self) -> bool:
        """Nothing to report."""
        return (
            all(line.status == "ok" for line in self.lines)
            and not self.missing_codes
            and not self.extra_codes
            and not self.no_receipt_scan
        )


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """Every delivery of one dealer in one period."""

    dealer_code: str
    period: str
    deliveries: tuple[DeliveryCheck, ...]

    @property
    def discrepancies(self) -> tuple[DeliveryCheck, ...]:
        """The deliveries with something to report."""
        return tuple(d for d in self.deliveries if not d.ok)


def _mentions(document: Mapping[str, Any], ref: str, *, po_only: bool = False) -> bool:
    for item in document.get("bizTransactionList") or ():
        if not isinstance(item, Mapping):
            continue
        kind = str(item.get("type", ""))
        value = str(item.get("bizTransaction", ""))
        if po_only and not (kind == "po" or kind.endswith(":po")):
            continue
        if value == ref or value.endswith((":" + ref, "/" + ref)):
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Event:
    event_id: str
    document: Mapping[str, Any]
    epcs: frozenset[str]


def _events(conn: sa.Connection, where: sa.ColumnElement[bool]) -> list[_Event]:
    e, x = trace_events, trace_event_epcs
    rows = conn.execute(
        sa.select(e.c.event_id, e.c.document, x.c.epc)
        .outerjoin(x, x.c.event_id == e.c.event_id)
        .where(where, e.c.error_declaration.is_(None), e.c.deleted_at.is_(None))
        .order_by(e.c.event_time, e.c.event_id)
    )
    docs: dict[str, Mapping[str, Any]] = {}
    epcs: dict[str, set[str]] = defaultdict(set)
    for event_id, document, epc in rows:
        docs[event_id] = document if isinstance(document, Mapping) else {}
        if epc is not None:
            epcs[event_id].add(epc)
    return [_Event(i, d, frozenset(epcs[i])) for i, d in docs.items()]


def _contents(conn: sa.Connection, codes: Iterable[str]) -> dict[str, set[str]]:
    """Items packed in each of ``codes`` that is a case with known contents."""
    children: dict[str, set[str]] = defaultdict(set)
    wanted = sorted(set(codes))
    if wanted:
        for code, parent in conn.execute(
            sa.select(trace_codes.c.code, trace_codes.c.parent_code).where(
                trace_codes.c.parent_code.in_(wanted)
            )
        ):
            children[parent].add(code)
    return children


def _expand(codes: Iterable[str], contents: Mapping[str, set[str]]) -> set[str]:
    """Case codes with known contents replaced by their items (one level, as packed)."""
    return {item for code in codes for item in (contents.get(code) or {code})}


def _lines(conn: sa.Connection, numbers: list[str]) -> dict[str, tuple[LineCheck, ...]]:
    sums: dict[tuple[str, str], list[Decimal | None]] = {}
    for no, sku, qty, accepted in conn.execute(
        sa.select(
            shipment_lines.c.shipment_no,
            shipment_lines.c.sku,
            shipment_lines.c.qty,
            shipment_lines.c.accepted_qty,
        )
        .where(shipment_lines.c.shipment_no.in_(numbers), shipment_lines.c.deleted_at.is_(None))
        .order_by(shipment_lines.c.shipment_no, shipment_lines.c.line_no)
    ):
        entry = sums.setdefault((no, sku), [Decimal(0), Decimal(0)])
        entry[0] = (entry[0] or Decimal(0)) + qty
        # One unsigned line leaves the SKU unsigned: a partial signature is not an acceptance.
        entry[1] = None if accepted is None or entry[1] is None else entry[1] + accepted
    grouped: dict[str, list[LineCheck]] = defaultdict(list)
    for (no, sku), (shipped, accepted) in sums.items():
        grouped[no].append(LineCheck(sku, shipped or Decimal(0), accepted))
    return {no: tuple(sorted(lines, key=lambda line: line.sku)) for no, lines in grouped.items()}


def reconcile_deliveries(conn: sa.Connection, dealer_code: str, period: Period | str) -> ReconciliationReport:
    """Reconcile every delivery of ``dealer_code`` in ``period`` (read-only)."""
    month = period if isinstance(period, Period) else Period.parse(period)
    when = sa.func.coalesce(shipments.c.shipped_at, shipments.c.delivered_at)
    heads = conn.execute(
        sa.select(
            shipments.c.shipment_no,
            shipments.c.order_no,
            shipments.c.status,
            shipments.c.shipped_at,
            shipments.c.delivered_at,
        )
        .join(orders, orders.c.order_no == shipments.c.order_no)
        .where(
            orders.c.dealer_code == dealer_code,
            when >= month.start,
            when < month.end,
            shipments.c.deleted_at.is_(None),
        )
        .order_by(when, shipments.c.shipment_no)
    ).all()
    if not heads:
        return ReconciliationReport(dealer_code, str(month), ())
    per_order: dict[str, int] = defaultdict(int)
    for order_no, count in conn.execute(
        sa.select(shipments.c.order_no, sa.func.count())
        .where(
            shipments.c.order_no.in_(sorted({h.order_no for h in heads})), shipments.c.deleted_at.is_(None)
        )
        .group_by(shipments.c.order_no)
    ):
        per_order[order_no] = int(count)
    window = (trace_events.c.event_time >= month.start - _BEFORE) & (
        trace_events.c.event_time < month.end + _AFTER
    )
    shipping = _events(
        conn,
        trace_events.c.biz_step.in_(SHIPPING_STEPS) & (trace_events.c.owning_party == dealer_code) & window,
    )
    contents = _contents(conn, (epc for ev in shipping for epc in ev.epcs))
    all_shipped = _expand((epc for ev in shipping for epc in ev.epcs), contents)
    near_codes = trace_events.c.event_id.in_(
        sa.select(trace_event_epcs.c.event_id).where(trace_event_epcs.c.epc.in_(sorted(all_shipped)))
    )
    receiving = _events(
        conn,
        trace_events.c.biz_step.in_(RECEIVING_STEPS)
        & (near_codes | (trace_events.c.owning_party == dealer_code))
        & window,
    )
    contents.update(_contents(conn, (epc for ev in receiving for epc in ev.epcs)))
    lines = _lines(conn, [h.shipment_no for h in heads])
    numbers = [h.shipment_no for h in heads]
    checks = []
    for head in heads:
        ships = [ev for ev in shipping if _mentions(ev.document, head.shipment_no)]
        if not ships and per_order[head.order_no] == 1:
            ships = [ev for ev in shipping if _mentions(ev.document, head.order_no, po_only=True)]
        shipped = _expand((epc for ev in ships for epc in ev.epcs), contents)
        receipts = [ev for ev in receiving if _mentions(ev.document, head.shipment_no)]
        receipts += [
            ev
            for ev in receiving
            if ev not in receipts
            and not any(_mentions(ev.document, n) for n in numbers)
            and _expand(ev.epcs, contents) & shipped
        ]
        received = _expand((epc for ev in receipts for epc in ev.epcs), contents)
        scanned = bool(receipts)
        checks.append(
            DeliveryCheck(
                shipment_no=head.shipment_no,
                order_no=head.order_no,
                status=head.status,
                shipped_at=head.shipped_at,
                delivered_at=head.delivered_at,
                lines=lines.get(head.shipment_no, ()),
                shipped_codes=len(shipped),
                received_codes=len(received),
                receipt_scanned=scanned,
                missing_codes=tuple(sorted(shipped - received)) if scanned else (),
                extra_codes=tuple(sorted(received - shipped)) if scanned else (),
            )
        )
    return ReconciliationReport(dealer_code, str(month), tuple(checks))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 48.0000 → "48", as a spreadsheet shows it
    return str(value)


def report_rows(report: ReconciliationReport, *, include_ok: bool = False) -> list[dict[str, str]]:
    """One row per discrepancy (a SKU's quantity or one code), as strings in :data:`REPORT_COLUMNS` order.

    ``include_ok`` adds one ``ok`` row per delivery without discrepancies, so the CSV lists
    every delivery of the period.
    """
    rows: list[dict[str, str]] = []

    def add(delivery: DeliveryCheck, kind: str, **values: Any) -> None:
        row = dict.fromkeys(REPORT_COLUMNS, "")
        row.update(
            dealer_code=report.dealer_code,
            period=report.period,
            shipment_no=delivery.shipment_no,
            order_no=delivery.order_no,
            kind=kind,
        )
        row.update({k: _cell(v) for k, v in values.items()})
        rows.append(row)

    for delivery in report.deliveries:
        if delivery.ok:
            if include_ok:
                add(delivery, "ok")
            continue
        for line in delivery.lines:
            if line.status != "ok":
                add(
                    delivery,
                    line.status,
                    sku=line.sku,
                    shipped_qty=line.shipped_qty,
                    accepted_qty=line.accepted_qty,
                    difference=line.difference,
                )
        if delivery.no_receipt_scan:
            add(delivery, "no_receipt_scan")
        for code in delivery.missing_codes:
            add(delivery, "code_missing", code=code)
        for code in delivery.extra_codes:
            add(delivery, "code_extra", code=code)
    return rows
