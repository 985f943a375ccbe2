"""The order life cycle: transitions as data, history, reservations that never drift (both backends)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import ORDER_STATUSES, external_refs, order_lines
from dms_core.ordering import (
    TRANSITION_TABLE,
    TRANSITIONS,
    AcceptanceMismatch,
    InvalidTransition,
    ReasonCode,
    ShipmentLine,
    ShipmentMismatch,
    accept,
    allowed_actions,
    approve,
    cancel,
    close,
    deliver,
    hold,
    mark_released,
    place_order,
    reject,
    ship,
    target_of,
)
from dms_core.ordering.lifecycle import TERMINAL_STATUSES
from tests.dms_core.ordering_support import (
    assert_consistent,
    history,
    lines_of,
    order_row,
    outbox_rows,
    request,
    reservation_rows,
    seed_world,
    settings,
    stock_of,
)

D = Decimal
SETTINGS = settings  # a fresh settings object per call: each test has its own database


@pytest.fixture
def world(engine: Engine) -> Engine:
    seed_world(engine)
    return engine


def placed(engine: Engine, dealer: str = "DA", **overrides: object) -> str:
    region = {"DA": "330106", "DB": "330102", "DC": "330102"}[dealer]
    outcome = place_order(
        engine, request(dealer_code=dealer, ship_to_region_code=region, **overrides), settings=SETTINGS()
    )
    assert outcome.order_no is not None
    assert_consistent(engine)
    return outcome.order_no


# --- the table itself -------------------------------------------------------------------------


def test_every_status_in_the_table_is_a_known_order_status() -> None:
    used = {s for t in TRANSITIONS for s in (*t.sources, t.target)}
    assert used <= set(ORDER_STATUSES)
    assert used == set(ORDER_STATUSES)


def test_closed_cancelled_and_rejected_are_terminal() -> None:
    assert {"closed", "cancelled", "rejected"} == TERMINAL_STATUSES


def test_transition_table_answers_lookups_and_refuses_the_rest() -> None:
    assert TRANSITION_TABLE[("pending_approval", "approve")] == "approved"
    assert target_of("ship_partial", "partially_shipped") == "partially_shipped"
    with pytest.raises(InvalidTransition, match="cannot ship an order in status 'pending_approval'"):
        target_of("ship", "pending_approval")
    assert allowed_actions("closed") == ()


# --- placing and approving --------------------------------------------------------------------


def test_auto_approved_order_is_allocated_reserved_and_queued_for_the_erp(world: Engine) -> None:
    order_no = placed(world)
    assert order_row(world, order_no).status == "allocated"
    assert order_row(world, order_no).approval == "auto"
    assert history(world, order_no) == [
        (None, "submitted"),
        ("submitted", "approved"),
        ("approved", "allocated"),
    ]
    assert reservation_rows(world, order_no) == [
        (1, "WH-SH", "", D(48), "active"),
        (2, "WH-SH", "F-A", D(2), "active"),
    ]
    assert stock_of(world, "WH-SH", "MILK") == (D(480), D(48))
    [message] = outbox_rows(world)
    assert (message.target, message.kind, message.entity_key, message.status) == (
        "erp",
        "submit_order",
        order_no,
        "pending",
    )
    assert message.payload["total_net"] == "544" and len(message.payload["allocations"]) == 2


def test_order_above_the_grade_limit_waits_for_approval_without_reserving(world: Engine) -> None:
    limits = {"A": D(500), "B": D(20_000), "C": None}
    outcome = place_order(world, request(), settings=SETTINGS(auto_approval_limits=limits))  # 544.00 > 500
    assert outcome.status == "pending_approval" and outcome.ok
    assert outcome.validation[-1].reason_code is ReasonCode.APPROVAL_REQUIRED
    assert reservation_rows(world, outcome.order_no or "") == []
    assert stock_of(world, "WH-SH", "MILK") == (D(480), D(0))
    assert outbox_rows(world) == []
    grade_c = placed(world, dealer="DC", lines=[("FORMULA", 1)])
    assert order_row(world, grade_c).status == "pending_approval"
    assert history(world, grade_c) == [(None, "submitted"), ("submitted", "pending_approval")]
    assert reservation_rows(world, grade_c) == []


def test_manual_approval_reserves_and_queues_then_cannot_be_repeated(world: Engine) -> None:
    order_no = placed(world, dealer="DC", lines=[("FORMULA", 7)])  # 买6送1: a free CHEESE line too
    assert [(line.sku, line.is_free_goods) for line in lines_of(world, order_no)] == [
        ("FORMULA", False),
        ("CHEESE", True),
    ]
    result = approve(world, order_no, settings=SETTINGS(), actor="sales.li")
    assert (result.from_status, result.status) == ("pending_approval", "allocated")
    assert {(a.sku, a.lot, a.qty) for a in result.allocations} == {  # first expiry first
        ("FORMULA", "F-A", D(6)),
        ("FORMULA", "F-B", D(1)),
        ("CHEESE", "", D(1)),
    }
    assert order_row(world, order_no).approved_by == "sales.li"
    assert [m.entity_key for m in outbox_rows(world)] == [order_no]
    assert_consistent(world)
    with pytest.raises(InvalidTransition):
        approve(world, order_no, settings=SETTINGS(), actor="sales.li")


def test_reject_and_hold_apply_only_before_approval(world: Engine) -> None:
    first = placed(world, dealer="DC", lines=[("FORMULA", 1)])
    second = placed(world, dealer="DC", lines=[("FORMULA", 1)])
    assert reject(world, first, actor="sales.li", reason="duplicate").status == "rejected"
    assert hold(world, second, actor="sales.li", reason="check address").status == "on_hold"
    assert order_row(world, second).hold_reason == "check address"
    with pytest.raises(InvalidTransition):
        hold(world, placed(world), actor="sales.li", reason="too late")


# --- cancel -----------------------------------------------------------------------------------


def test_cancel_releases_every_reservation_in_the_same_transaction(world: Engine) -> None:
    order_no = placed(world, lines=[("MILK", 30, "CS")])  # 720: no warehouse has it all, so it is split
    assert stock_of(world, "WH-SH", "MILK") == (D(480), D(480))
    assert stock_of(world, "WH-HZ", "MILK") == (D(240), D(240))
    result = cancel(world, order_no, settings=SETTINGS(), actor="dealer", reason="changed mind")
    assert (result.from_status, result.status) == ("allocated", "cancelled")
    assert stock_of(world, "WH-SH", "MILK") == (D(480), D(0))
    assert stock_of(world, "WH-HZ", "MILK") == (D(240), D(0))
    assert {status for *_rest, status in reservation_rows(world, order_no)} == {"released"}
    assert order_row(world, order_no).cancel_reason == "changed mind"
    assert_consistent(world)


def test_cancel_after_release_to_the_erp_queues_a_cancellation(world: Engine) -> None:
    order_no = placed(world)
    assert mark_released(world, order_no, system="sap", external_id="4500001").status == "released_to_erp"
    cancel(world, order_no, settings=SETTINGS(), actor="dealer", reason="wrong address")
    assert sorted(m.kind for m in outbox_rows(world)) == ["cancel_order", "submit_order"]
    assert_consistent(world)


def test_shipped_orders_cannot_be_cancelled(world: Engine) -> None:
    order_no = placed(world)
    ship(world, order_no, [ShipmentLine(1, D(48)), ShipmentLine(2, D(2))], actor="wms")
    with pytest.raises(InvalidTransition):
        cancel(world, order_no, settings=SETTINGS(), actor="dealer", reason="late")


def test_mark_released_is_idempotent_and_records_the_erp_number(world: Engine) -> None:
    order_no = placed(world)
    mark_released(world, order_no, system="sap", external_id="4500001")
    again = mark_released(world, order_no, system="sap", external_id="4500001")
    assert (again.from_status, again.status) == ("released_to_erp", "released_to_erp")
    with world.connect() as conn:
        refs = conn.execute(
            sa.select(external_refs.c.external_id).where(external_refs.c.entity_key == order_no)
        )
        assert refs.scalars().all() == ["4500001"]
    assert history(world, order_no)[-1] == ("allocated", "released_to_erp")


# --- shipping, delivery, acceptance, closing --------------------------------------------------


def test_partial_then_full_shipment_consumes_reservations_and_stock(world: Engine) -> None:
    order_no = placed(world)
    mark_released(world, order_no, system="sap", external_id="4500002")
    first = ship(world, order_no, [ShipmentLine(1, D(24))], actor="wms", reference="SHP-1")
    assert first.status == "partially_shipped"
    assert stock_of(world, "WH-SH", "MILK") == (D(456), D(24))
    assert reservation_rows(world, order_no)[0] == (1, "WH-SH", "", D(24), "active")
    assert_consistent(world)
    second = ship(
        world, order_no, [ShipmentLine(1, D(24)), ShipmentLine(2, D(2), "WH-SH", "F-A")], actor="wms"
    )
    assert second.status == "shipped"
    assert stock_of(world, "WH-SH", "MILK") == (D(432), D(0))
    assert stock_of(world, "WH-SH", "FORMULA", "F-A") == (D(4), D(0))
    assert reservation_rows(world, order_no) == [
        (1, "WH-SH", "", D(48), "consumed"),
        (2, "WH-SH", "F-A", D(2), "consumed"),
    ]
    assert [line.shipped_qty for line in lines_of(world, order_no)] == [D(48), D(2)]
    assert_consistent(world)
    assert history(world, order_no)[-2:] == [
        ("released_to_erp", "partially_shipped"),
        ("partially_shipped", "shipped"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        ShipmentLine(1, D(49)),
        ShipmentLine(9, D(1)),
        ShipmentLine(1, D(1), "WH-HZ"),
        ShipmentLine(2, D(1), None, "F-C"),
    ],
    ids=["too-much", "unknown-line", "wrong-warehouse", "wrong-lot"],
)
def test_shipment_that_does_not_fit_the_reservations_changes_nothing(
    world: Engine, line: ShipmentLine
) -> None:
    order_no = placed(world)
    with pytest.raises(ShipmentMismatch):
        ship(world, order_no, [line], actor="wms")
    assert stock_of(world, "WH-SH", "MILK") == (D(480), D(48))
    assert order_row(world, order_no).status == "allocated"
    assert_consistent(world)


def test_delivery_acceptance_and_closing(world: Engine) -> None:
    order_no = placed(world)
    ship(world, order_no, [ShipmentLine(1, D(48)), ShipmentLine(2, D(2))], actor="wms")
    assert deliver(world, order_no, actor="sf-express").status == "delivered"
    with pytest.raises(AcceptanceMismatch):
        accept(world, order_no, actor="dealer", accepted={1: D(49)})
    assert accept(world, order_no, actor="dealer", accepted={2: D(1)}).status == "accepted"
    assert [line.accepted_qty for line in lines_of(world, order_no)] == [D(48), D(1)]
    assert close(world, order_no, actor="finance").status == "closed"
    assert [to for _from, to in history(world, order_no)] == [
        "submitted",
        "approved",
        "allocated",
        "shipped",
        "delivered",
        "accepted",
        "closed",
    ]


def test_short_close_frees_what_was_not_shipped(world: Engine) -> None:
    order_no = placed(world)
    ship(world, order_no, [ShipmentLine(1, D(24))], actor="wms")
    assert close(world, order_no, actor="sales.li", reason="rest out of season").status == "closed"
    assert stock_of(world, "WH-SH", "MILK") == (D(456), D(0))
    assert stock_of(world, "WH-SH", "FORMULA", "F-A") == (D(6), D(0))
    assert_consistent(world)


def test_every_operation_bumps_the_version(world: Engine) -> None:
    order_no = placed(world)
    before = order_row(world, order_no).version
    mark_released(world, order_no, system="sap", external_id="1")
    assert order_row(world, order_no).version == before + 1


def test_order_lines_record_prices_and_rules(world: Engine) -> None:
    order_no = placed(world)
    with world.connect() as conn:
        rows = conn.execute(
            sa.select(order_lines.c.net_price, order_lines.c.net_amount).where(
                order_lines.c.order_no == order_no
            )
        ).all()
    assert [(r.net_price, r.net_amount) for r in rows] == [(D(3), D(144)), (D(200), D(400))]
