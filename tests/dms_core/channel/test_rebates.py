"""Rebates: tier boundaries (inclusive from, exclusive next), idempotent recalculation, frozen accruals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.errors import ValidationError
from canonical_model.tables import rebate_accruals
from dms_core.channel import (
    Period,
    RebateProgram,
    SourceRow,
    compute_accrual,
    parse_tiers,
    rebate_statements,
    recalculate_rebates,
)
from tests.dms_core.channel.channel_support import (
    NOV,
    accrual_snapshot,
    add_order,
    add_program,
    add_sell_through,
    add_shipment,
    set_order_status,
)
from tests.dms_core.ordering_support import seed_world

D = Decimal
PERIOD = Period(2026, 11)
SELL_IN_TIERS = [{"from": 0, "rate": "0"}, {"from": 10000, "rate": "0.02"}, {"from": 50000, "rate": "0.05"}]
THROUGH_TIERS = [{"from": "0.5", "rate": "0.01"}, {"from": "0.8", "rate": "0.03"}]


def program(basis: str, tiers: list[dict[str, Any]]) -> RebateProgram:
    return RebateProgram("P", "P", basis, None, None, parse_tiers("P", tiers), None, None)


@pytest.mark.parametrize(
    ("amount", "rate", "rebate", "tier"),
    [
        ("0", "0", "0.00", 1),
        ("9999.99", "0", "0.00", 1),
        ("10000", "0.02", "200.00", 2),  # the lower bound is inclusive
        ("49999.99", "0.02", "1000.00", 2),  # the next tier's bound is exclusive
        ("50000", "0.05", "2500.00", 3),
        ("123456.78", "0.05", "6172.84", 3),  # 6172.839 rounds half-up to the cent
    ],
)
def test_sell_in_tiers_apply_from_inclusive_to_next_exclusive(
    amount: str, rate: str, rebate: str, tier: int
) -> None:
    rows = [SourceRow("order", "SO-1", "DA", "MILK", D(1), D(amount))]
    accrual = compute_accrual(program("sell_in", SELL_IN_TIERS), "DA", PERIOD, rows)
    assert accrual.basis_amount == D(amount)
    assert accrual.rebate_amount == D(rebate)
    assert accrual.calculation["rate"] == rate
    assert accrual.calculation["tier"]["index"] == tier


@pytest.mark.parametrize(
    ("sold", "received", "rate", "tier"),
    [
        (49, 100, "0", None),  # below the first tier: nothing
        (50, 100, "0.01", 1),  # exactly 50 %: inclusive
        (79, 100, "0.01", 1),
        (80, 100, "0.03", 2),  # exactly 80 %: the higher tier
        (120, 100, "0.03", 2),
        (5, 0, "0", None),  # nothing received: no rate, no tier
    ],
)
def test_sell_through_tiers_pick_the_rate_applied_to_sell_in(
    sold: int, received: int, rate: str, tier: int | None
) -> None:
    sell_in = [SourceRow("order", "SO-1", "DA", "MILK", D(100), D("1000.00"))]
    sold_rows = [SourceRow("sell_through", "report 2026-11-03", "DA", "MILK", D(sold), None)]
    received_rows = [SourceRow("receipt", "SH-1", "DA", "MILK", D(received), None)] if received else []
    accrual = compute_accrual(
        program("sell_through", THROUGH_TIERS), "DA", PERIOD, sell_in, sold_rows, received_rows
    )
    assert accrual.calculation["rate"] == rate
    assert accrual.rebate_amount == D(1000) * D(rate)
    assert (accrual.calculation["tier"] or {}).get("index") == tier
    assert accrual.basis_amount == D("1000.00")


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([], "non-empty list"),
        ([{"from": 10, "rate": "0.1"}, {"from": 10, "rate": "0.2"}], "ascend strictly"),
        ([{"from": 0, "rate": "1.5"}], "not within 0..1"),
        ([{"from": 0}], "needs 'from' and 'rate'"),
        ([{"from": "ten", "rate": "0.1"}], "is not a number"),
        ([{"from": -1, "rate": "0.1"}], "below zero"),
    ],
)
def test_bad_tiers_are_refused_naming_the_program(tiers: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        parse_tiers("BAD", tiers)
    assert "BAD" in str(caught.value)


def test_from_amount_is_read_as_from() -> None:
    assert parse_tiers("P", [{"from_amount": 5, "rate": "0.1"}])[0].threshold == D(5)


@pytest.fixture
def world(engine: Engine) -> Engine:
    seed_world(engine)
    add_program(engine, "SELLIN", "sell_in", SELL_IN_TIERS, dealer_level=2)
    add_order(engine, "SO-1", "DA", date(2026, 11, 3), "approved", [("MILK", 48, "6000.00")])
    add_order(
        engine,
        "SO-2",
        "DA",
        date(2026, 11, 20),
        "shipped",
        [("FORMULA", 20, "4000.00"), ("CHEESE", 10, "1000")],
    )
    add_order(engine, "SO-X", "DA", date(2026, 11, 21), "cancelled", [("MILK", 480, "60000.00")])
    add_order(engine, "SO-P", "DA", date(2026, 11, 22), "pending_approval", [("MILK", 24, "3000.00")])
    add_order(engine, "SO-O", "DA", date(2026, 10, 31), "closed", [("MILK", 24, "3000.00")])
    add_order(engine, "SO-B", "DB", date(2026, 11, 4), "accepted", [("MILK", 24, "500.00")])
    add_order(engine, "SO-C", "DC", date(2026, 11, 4), "approved", [("MILK", 24, "90000.00")])  # level 3
    return engine


def stored(engine: Engine) -> dict[tuple[str, str], tuple[Decimal, Decimal, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(rebate_accruals)).all()
    return {(r.program_code, r.dealer_code): (r.basis_amount, r.rebate_amount, r.status) for r in rows}


def test_sell_in_counts_approved_and_later_orders_of_the_month_only(world: Engine) -> None:
    with world.begin() as conn:
        result = recalculate_rebates(conn, NOV)
    assert stored(world) == {
        ("SELLIN", "DA"): (D("11000.00"), D("220.00"), "accrued"),  # SO-1 + SO-2, tier 2 at 2 %
        ("SELLIN", "DB"): (D("500.00"), D("0.00"), "accrued"),
    }
    assert {(o.dealer_code, o.outcome) for o in result.outcomes} == {("DA", "written"), ("DB", "written")}
    with world.connect() as conn:
        (statement,) = rebate_statements(conn, "DA", NOV)
    assert [(line.source_kind, line.source_ref, line.sku, line.amount) for line in statement.lines] == [
        ("order", "SO-1", "MILK", D("6000.00")),
        ("order", "SO-2", "FORMULA", D("4000.00")),
        ("order", "SO-2", "CHEESE", D("1000.00")),
    ]
    assert statement.calculation is not None
    assert statement.calculation["tier"] == {"index": 2, "from": "10000", "below": "50000"}


def test_recalculating_unchanged_data_changes_no_row(world: Engine) -> None:
    with world.begin() as conn:
        recalculate_rebates(conn, NOV)
    before = accrual_snapshot(world)
    with world.begin() as conn:
        again = recalculate_rebates(conn, NOV)
    assert accrual_snapshot(world) == before  # updated_at included: nothing was rewritten
    assert {o.outcome for o in again.outcomes} == {"unchanged"}


def test_a_changed_order_rewrites_the_accrual_and_replaces_its_lines(world: Engine) -> None:
    with world.begin() as conn:
        recalculate_rebates(conn, NOV)
    set_order_status(world, "SO-2", "cancelled")
    with world.begin() as conn:
        recalculate_rebates(conn, NOV)
    assert stored(world)[("SELLIN", "DA")] == (D("6000.00"), D("0.00"), "accrued")
    with world.connect() as conn:
        (statement,) = rebate_statements(conn, "DA", NOV)
    assert [line.source_ref for line in statement.lines] == ["SO-1"]


def test_an_accrual_whose_orders_vanished_is_removed(world: Engine) -> None:
    with world.begin() as conn:
        recalculate_rebates(conn, NOV)
    set_order_status(world, "SO-B", "cancelled")
    with world.begin() as conn:
        result = recalculate_rebates(conn, NOV)
    assert ("SELLIN", "DB") not in stored(world)
    assert [(o.dealer_code, o.outcome) for o in result.outcomes if o.dealer_code == "DB"] == [
        ("DB", "removed")
    ]
    with world.connect() as conn:
        assert rebate_statements(conn, "DB", NOV) == []


@pytest.mark.parametrize("status", ["settled", "paid"])
def test_settled_and_paid_accruals_are_never_touched(world: Engine, status: str) -> None:
    with world.begin() as conn:
        recalculate_rebates(conn, NOV)
        conn.execute(rebate_accruals.update().values(status=status))
    frozen = accrual_snapshot(world)
    set_order_status(world, "SO-2", "cancelled")
    set_order_status(world, "SO-B", "cancelled")
    with world.begin() as conn:
        result = recalculate_rebates(conn, NOV)
    assert accrual_snapshot(world) == frozen
    assert {o.outcome for o in result.outcomes} == {"frozen"}


def test_sell_through_counts_reports_and_child_orders_over_receipts(world: Engine) -> None:
    add_program(world, "THRU", "sell_through", THROUGH_TIERS, dealer_level=2)
    # DA received 100 MILK in November (signed 100 of 110 shipped) ...
    add_shipment(world, "SH-1", "SO-1", datetime(2026, 11, 10, 2, tzinfo=UTC), [("MILK", 110, 100)])
    # ... a shipment delivered on 1 December, China time, belongs to December
    add_shipment(world, "SH-9", "SO-2", datetime(2026, 11, 30, 17, tzinfo=UTC), [("FORMULA", 20, 20)])
    add_sell_through(world, "DA", "MILK", date(2026, 11, 15), 56)  # sold to consumers
    # DC (under DA) ordered 24 in November: SO-C; the 80 % tier is reached exactly
    with world.begin() as conn:
        recalculate_rebates(conn, NOV, programs=["THRU"])
    assert stored(world)[("THRU", "DA")] == (D("11000.00"), D("330.00"), "accrued")
    with world.connect() as conn:
        statements = {s.program_code: s for s in rebate_statements(conn, "DA", NOV)}
    thru = statements["THRU"]
    assert thru.calculation is not None
    assert (thru.calculation["units_sold"], thru.calculation["units_received"]) == ("80", "100")
    assert thru.calculation["sell_through_rate"] == "0.8"
    kinds = [(line.source_kind, line.source_ref, line.qty) for line in thru.lines]
    assert ("sell_through", "report 2026-11-15", D(56)) in kinds
    assert ("sell_through", "SO-C", D(24)) in kinds
    assert ("receipt", "SH-1", D(100)) in kinds
    assert all(ref != "SH-9" for _, ref, _ in kinds)
