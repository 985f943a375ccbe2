"""Replenishment against the store: positions from dealer-owned stock, drafts through the pipeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import (
    dealers,
    order_lines,
    orders,
    outbox,
    reservations,
    sell_through,
    shipment_lines,
    shipments,
    stock_health,
    stock_levels,
    trace_codes,
)
from dms_core.replenishment import ReplenishmentPolicy, read_positions, run_replenishment
from tests.dms_core.ordering_support import DAY, lines_of, order_row, seed_world, settings, update

D = Decimal


def seed_dealer_stock(engine: Engine) -> None:
    """DA sold 30 MILK and 60 FORMULA in the last 30 days and holds 10 MILK at its warehouse."""
    with engine.begin() as conn:
        conn.execute(
            sell_through.insert(),
            [
                {"dealer_code": "DA", "sku": "MILK", "period_date": DAY - timedelta(days=3), "qty": D(30)},
                {"dealer_code": "DA", "sku": "FORMULA", "period_date": DAY, "qty": D(60)},
                # outside the 30-day window: ignored
                {"dealer_code": "DA", "sku": "MILK", "period_date": DAY - timedelta(days=30), "qty": D(999)},
            ],
        )
        conn.execute(
            stock_levels.insert(),
            [{"location_code": "LOC-DA", "sku": "MILK", "lot": "", "on_hand": D(10)}],
        )


def test_drafts_are_whole_cases_awaiting_approval_and_a_rerun_finds_the_same_draft(engine: Engine) -> None:
    seed_world(engine)
    seed_dealer_stock(engine)

    first = run_replenishment(engine, DAY, settings=settings(outbox_target="sap-rfc"), dealer_codes=["DA"])
    again = run_replenishment(engine, DAY, settings=settings(outbox_target="sap-rfc"), dealer_codes=["DA"])

    assert not first.refused and list(first.drafts) == ["DA"]
    assert again.drafts == first.drafts
    order_no = first.drafts["DA"]
    header = order_row(engine, order_no)
    assert (header.status, header.origin, header.ship_to_location_code) == (
        "pending_approval",
        "replenishment",
        "LOC-DA",
    )
    # MILK: safety 14 − 10 on hand = 4 → one case of 24; FORMULA: 28 → five cases of 6.
    requested = {line.sku: line.qty_base for line in lines_of(engine, order_no) if not line.is_free_goods}
    assert requested == {"MILK": D(24), "FORMULA": D(30)}
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(orders)).scalar() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(reservations)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar() == 0
        health = {r.sku: r for r in conn.execute(sa.select(stock_health).where(stock_health.c.as_of == DAY))}
    assert set(health) == {"MILK", "FORMULA"}
    milk = health["MILK"]
    assert (milk.on_hand, milk.avg_daily_sell_through, milk.safety_stock, milk.suggested_qty) == (
        D(10),
        D(1),
        D(14),
        D(24),
    )
    assert milk.draft_order_no == order_no and milk.flags == []


def test_a_draft_the_credit_check_refuses_is_reported_not_placed(engine: Engine) -> None:
    seed_world(engine)
    seed_dealer_stock(engine)
    update(engine, dealers, {"code": "DA"}, credit_limit=D(12_000))  # 10 000 open + the draft's 6 072

    result = run_replenishment(engine, DAY, settings=settings(), dealer_codes=["DA"])

    assert result.drafts == {}
    [refused] = result.refused
    assert refused.dealer_code == "DA" and refused.status == "on_hold"
    assert any("credit" in reason.lower() for reason in refused.reasons)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(orders)).scalar() == 0
        stored = conn.execute(
            sa.select(stock_health.c.sku, stock_health.c.suggested_qty, stock_health.c.draft_order_no)
        ).all()
    assert sorted(stored) == [("FORMULA", D(30), None), ("MILK", D(24), None)]


def test_open_orders_count_as_on_order_and_brand_stock_is_not_the_dealers(engine: Engine) -> None:
    seed_world(engine)
    seed_dealer_stock(engine)
    with engine.begin() as conn:
        conn.execute(
            orders.insert(),
            [{"order_no": "O-1", "dealer_code": "DA", "order_date": DAY, "status": "allocated"}],
        )
        conn.execute(
            order_lines.insert(),
            [
                {
                    "order_no": "O-1",
                    "line_no": 1,
                    "sku": "FORMULA",
                    "qty": D(30),
                    "qty_base": D(30),
                    "shipped_qty": D(6),
                }
            ],
        )
        positions = {p.sku: p for p in read_positions(conn, DAY, ReplenishmentPolicy(), dealer_codes=["DA"])}
    assert positions["FORMULA"].on_order == D(24) and positions["FORMULA"].on_hand == D(0)
    assert positions["MILK"].on_hand == D(10)  # WH-SH's 480 MILK are the brand's


def test_overdue_comes_from_the_last_receipt_and_expiring_from_the_lot(engine: Engine) -> None:
    seed_world(engine)
    long_ago = datetime(2026, 1, 5, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            stock_levels.insert(),
            [
                # seen since January, never received since: overdue
                {
                    "location_code": "LOC-DB",
                    "sku": "MILK",
                    "lot": "",
                    "on_hand": D(48),
                    "created_at": long_ago,
                },
                # an old row, but delivered again last week: not overdue; its lot expires in 10 days
                {
                    "location_code": "LOC-DA",
                    "sku": "CHEESE",
                    "lot": "C-1",
                    "on_hand": D(5),
                    "created_at": long_ago,
                },
            ],
        )
        conn.execute(
            orders.insert(), [{"order_no": "O-9", "dealer_code": "DA", "order_date": DAY, "status": "closed"}]
        )
        conn.execute(
            shipments.insert(),
            [
                {
                    "shipment_no": "S-9",
                    "order_no": "O-9",
                    "delivered_at": datetime(2026, 10, 27, 3, tzinfo=UTC),
                }
            ],
        )
        conn.execute(
            shipment_lines.insert(),
            [{"shipment_no": "S-9", "line_no": 1, "sku": "CHEESE", "lot": "C-1", "qty": D(5)}],
        )
        conn.execute(
            trace_codes.insert(),
            [
                {
                    "code": "urn:test:1",
                    "kind": "item",
                    "sku": "CHEESE",
                    "lot": "C-1",
                    "expiry_date": DAY + timedelta(days=10),
                }
            ],
        )

    result = run_replenishment(engine, DAY, settings=settings(), draft=False)

    flags = {(a.position.dealer_code, a.position.sku): a for a in result.assessments}
    assert flags[("DB", "MILK")].flags == ("overdue", "slow") and flags[("DB", "MILK")].age_days == 301
    assert flags[("DA", "CHEESE")].flags == ("slow", "expiring") and flags[("DA", "CHEESE")].age_days == 6
    assert flags[("DA", "CHEESE")].days_to_expiry == 10
    assert result.drafts == {} and date(2026, 11, 2) == result.as_of
