"""Credit exposure in SQL and a credit check that no path can get around (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from canonical_model.tables import dealers, order_lines, orders, receivables
from dms_core.ordering import (
    CreditLimitExceeded,
    ShipmentLine,
    approve,
    cancel,
    place_order,
    read_exposure,
    release_hold,
    ship,
)
from tests.dms_core.ordering_support import (
    DAY,
    assert_consistent,
    order_row,
    request,
    seed_world,
    settings,
    update,
)

D = Decimal


@pytest.fixture
def world(engine: Engine) -> Engine:
    seed_world(engine)
    return engine


def exposure_of(engine: Engine, dealer: str = "DA") -> Decimal:
    with engine.connect() as conn:
        return read_exposure(conn, dealer).total


def test_exposure_is_open_receivables_plus_unshipped_approved_orders(world: Engine) -> None:
    assert exposure_of(world) == D(10_000)
    place_order(world, request(), settings=settings())  # auto-approved: 544.00
    assert exposure_of(world) == D("10544.00")
    pending = place_order(world, request(), settings=settings(auto_approval_limits={"A": D(1)}))
    assert pending.status == "pending_approval"
    assert exposure_of(world) == D("10544.00")  # waiting orders do not count until approved


def test_soft_deleted_receivables_do_not_count(world: Engine) -> None:
    update(world, receivables, {"document_no": "AR-1"}, deleted_at=datetime(2026, 11, 1, tzinfo=UTC))
    assert exposure_of(world) == D(0)


def test_shipped_value_leaves_the_exposure_and_cancelled_orders_free_it(world: Engine) -> None:
    first = place_order(world, request(), settings=settings()).order_no or ""
    second = place_order(world, request(), settings=settings()).order_no or ""
    assert exposure_of(world) == D("11088.00")
    ship(world, first, [ShipmentLine(1, D(24))], actor="wms")  # half the milk: 72.00
    assert exposure_of(world) == D("11016.00")
    cancel(world, second, settings=settings(), actor="dealer", reason="not needed")
    assert exposure_of(world) == D("10472.00")


def test_partly_shipped_value_is_exact_to_four_places_on_both_backends(world: Engine) -> None:
    with world.begin() as conn:
        conn.execute(
            orders.insert(),
            [
                {
                    "order_no": "SO-X",
                    "dealer_code": "DA",
                    "status": "partially_shipped",
                    "order_date": DAY,
                    "total_net": D("100.00"),
                }
            ],
        )
        conn.execute(
            order_lines.insert(),
            [
                {
                    "order_no": "SO-X",
                    "line_no": 1,
                    "sku": "FORMULA",
                    "qty": D(3),
                    "qty_base": D(3),
                    "net_amount": D("100.00"),
                    "shipped_qty": D(1),
                }
            ],
        )
    assert exposure_of(world) == D("10066.6667")  # 100 − 33.3333 (truncated), never a float


def test_credit_is_checked_again_when_a_pending_order_is_approved(world: Engine) -> None:
    pending = place_order(world, request(), settings=settings(auto_approval_limits={})).order_no or ""
    update(world, dealers, {"code": "DA"}, credit_limit=D(10_500))
    with pytest.raises(CreditLimitExceeded, match=r"exceeds the credit limit 10500\.00"):
        approve(world, pending, settings=settings(), actor="sales.li")
    assert order_row(world, pending).status == "pending_approval"
    assert_consistent(world)


def test_an_order_on_credit_hold_cannot_be_approved_or_released_while_over_the_limit(world: Engine) -> None:
    update(world, dealers, {"code": "DA"}, credit_limit=D(10_500))
    held = place_order(world, request(), settings=settings()).order_no or ""
    assert order_row(world, held).status == "on_hold"
    with pytest.raises(CreditLimitExceeded):
        approve(world, held, settings=settings(), actor="sales.manager")
    with pytest.raises(CreditLimitExceeded):
        release_hold(world, held, settings=settings(), actor="sales.manager")
    assert order_row(world, held).status == "on_hold"
    update(world, receivables, {"document_no": "AR-1"}, amount_open=D(5_000))  # the dealer paid
    result = release_hold(world, held, settings=settings(), actor="sales.manager")
    assert (result.from_status, result.status) == ("on_hold", "allocated")
    assert order_row(world, held).approval == "auto"
    assert_consistent(world)


def test_releasing_a_hold_of_a_grade_c_dealer_sends_it_to_approval(world: Engine) -> None:
    update(world, dealers, {"code": "DC"}, credit_limit=D(100))
    held = place_order(
        world,
        request(dealer_code="DC", ship_to_region_code="330102", lines=[("FORMULA", 1)]),
        settings=settings(),
    )
    assert held.status == "on_hold"
    update(world, dealers, {"code": "DC"}, credit_limit=D(1000))
    result = release_hold(world, held.order_no or "", settings=settings(), actor="credit.team")
    assert result.status == "pending_approval"


def test_a_duplicate_cannot_squeeze_past_the_limit(world: Engine) -> None:
    update(world, dealers, {"code": "DA"}, credit_limit=D(11_000))
    first = place_order(world, request(), settings=settings())
    copy = place_order(world, request(), settings=settings())  # Odoo #51081: duplicate the quotation
    assert (first.status, copy.status) == ("allocated", "on_hold")
    assert exposure_of(world) <= D(11_000)
