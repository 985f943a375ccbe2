"""Orders, shipments and trace events added to the ordering tests' world (``seed_world``).

Orders are written as rows (not placed through the pipeline) so a test can put one in
any status on any day; the dealers, products and closure come from ``seed_world``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import (
    channel_alerts,
    order_lines,
    order_status_history,
    orders,
    rebate_accruals,
    rebate_programs,
    rebate_statement_lines,
    sell_through,
    shipment_lines,
    shipments,
    trace_event_epcs,
    trace_events,
)

D = Decimal
NOV = "2026-11"


def add_order(
    engine: Engine,
    order_no: str,
    dealer: str,
    day: date,
    status: str,
    lines: Sequence[tuple[str, int, str]],
) -> None:
    """An order with ``(sku, qty_base, net_amount)`` lines."""
    total = sum((D(amount) for _, _, amount in lines), D(0))
    with engine.begin() as conn:
        conn.execute(
            orders.insert().values(
                order_no=order_no, dealer_code=dealer, order_date=day, status=status, total_net=total
            )
        )
        conn.execute(
            order_lines.insert(),
            [
                {
                    "order_no": order_no,
                    "line_no": no,
                    "sku": sku,
                    "qty": D(qty),
                    "qty_base": D(qty),
                    "net_amount": D(amount),
                    "shipped_qty": D(qty),
                }
                for no, (sku, qty, amount) in enumerate(lines, start=1)
            ],
        )


def set_order_status(engine: Engine, order_no: str, status: str) -> None:
    with engine.begin() as conn:
        conn.execute(orders.update().where(orders.c.order_no == order_no).values(status=status))


def record_transition(engine: Engine, order_no: str, to_status: str, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(order_status_history.insert().values(order_no=order_no, to_status=to_status, at=at))


def add_program(engine: Engine, code: str, basis: str, tiers: list[dict[str, Any]], **more: Any) -> None:
    row: dict[str, Any] = {"code": code, "name": f"Program {code}", "basis": basis, "tiers": tiers}
    row.update(more)
    with engine.begin() as conn:
        conn.execute(rebate_programs.insert().values(**row))


def add_sell_through(engine: Engine, dealer: str, sku: str, day: date, qty: int) -> None:
    with engine.begin() as conn:
        conn.execute(sell_through.insert().values(dealer_code=dealer, sku=sku, period_date=day, qty=D(qty)))


def add_shipment(
    engine: Engine,
    shipment_no: str,
    order_no: str,
    at: datetime,
    lines: Sequence[tuple[str, int, int | None]],
    *,
    status: str = "delivered",
) -> None:
    """A delivered shipment with ``(sku, qty, accepted_qty)`` lines."""
    with engine.begin() as conn:
        conn.execute(
            shipments.insert().values(
                shipment_no=shipment_no, order_no=order_no, status=status, shipped_at=at, delivered_at=at
            )
        )
        conn.execute(
            shipment_lines.insert(),
            [
                {
                    "shipment_no": shipment_no,
                    "line_no": no,
                    "sku": sku,
                    "qty": D(qty),
                    "accepted_qty": None if accepted is None else D(accepted),
                }
                for no, (sku, qty, accepted) in enumerate(lines, start=1)
            ],
        )


def add_event(
    engine: Engine,
    event_id: str,
    biz_step: str,
    at: datetime,
    epcs: Sequence[str],
    *,
    owning_party: str | None = None,
    transactions: Sequence[tuple[str, str]] = (),
) -> None:
    """An EPCIS ObjectEvent with its EPC index rows; ``transactions`` are ``(type, bizTransaction)``."""
    document = {
        "type": "ObjectEvent",
        "eventID": event_id,
        "action": "OBSERVE",
        "bizStep": biz_step,
        "epcList": list(epcs),
        "bizTransactionList": [{"type": t, "bizTransaction": v} for t, v in transactions],
    }
    with engine.begin() as conn:
        conn.execute(
            trace_events.insert().values(
                event_id=event_id,
                event_type="ObjectEvent",
                action="OBSERVE",
                biz_step=biz_step,
                event_time=at,
                owning_party=owning_party,
                document=document,
            )
        )
        if epcs:
            conn.execute(trace_event_epcs.insert(), [{"event_id": event_id, "epc": e} for e in epcs])


def add_alert(engine: Engine, alert_id: str, kind: str, dealer: str, *, status: str = "open") -> None:
    with engine.begin() as conn:
        conn.execute(
            channel_alerts.insert().values(
                alert_id=alert_id,
                kind=kind,
                status=status,
                dealer_code=dealer,
                evidence=[],
                raised_at=datetime(2026, 11, 5, tzinfo=UTC),
            )
        )


def accrual_snapshot(engine: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every accrual and statement line, every column (timestamps included), in key order."""
    with engine.connect() as conn:
        accruals = [
            tuple(r)
            for r in conn.execute(
                sa.select(rebate_accruals).order_by(
                    rebate_accruals.c.program_code, rebate_accruals.c.dealer_code, rebate_accruals.c.period
                )
            )
        ]
        t = rebate_statement_lines
        lines = [
            tuple(r)
            for r in conn.execute(
                sa.select(t).order_by(t.c.program_code, t.c.dealer_code, t.c.period, t.c.line_no)
            )
        ]
    return accruals, lines
