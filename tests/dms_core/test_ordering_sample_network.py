"""The ordering service on the demo's sample network: real dealers, real problems, real prices."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import reservations
from dms_core.ordering import (
    OrderOutcome,
    OrderRequest,
    ReasonCode,
    ShipmentLine,
    approve,
    place_order,
    read_exposure,
    ship,
)
from flows.demo.load import load_sample_network
from flows.demo.sample_network import SampleNetwork, build_sample_network
from tests.dms_core.ordering_support import assert_consistent, settings

NETWORK = build_sample_network()
TODAY = NETWORK.today


@pytest.fixture
def network(engine: Engine) -> Engine:
    load_sample_network(engine, NETWORK)
    return engine


def dealer(code: str) -> dict[str, Any]:
    return next(d for d in NETWORK.dealers if d["code"] == code)


def well_stocked_lines(net: SampleNetwork, code: str, count: int, cases: int) -> list[tuple[str, int, str]]:
    """``count`` authorised, active SKUs with the most stock in date, ``cases`` cases each."""
    lines = {a["scope_code"] for a in net.authorizations if a["dealer_code"] == code}
    products = {
        p["sku"]: p for p in net.products if p["status"] == "active" and p["product_line_code"] in lines
    }
    stock: dict[str, Decimal] = defaultdict(Decimal)
    for row in net.stock_levels:
        if row["sku"] in products and (row["expiry_date"] is None or row["expiry_date"] >= TODAY):
            stock[row["sku"]] += row["on_hand"]
    best = sorted(stock, key=lambda sku: (-stock[sku], sku))[:count]
    return [(sku, cases, "CS") for sku in best]


def order_for(code: str, lines: list[tuple[str, int, str]], **more: Any) -> OrderRequest:
    return OrderRequest(
        dealer_code=code,
        ship_to_region_code=dealer(code)["region_code"],
        order_date=TODAY,
        lines=lines,
        **more,
    )


def place(engine: Engine, request: OrderRequest) -> OrderOutcome:
    outcome = place_order(engine, request, settings=settings())
    assert_consistent(engine)
    return outcome


def test_a_level_one_dealer_orders_prices_reserves_and_ships(network: Engine) -> None:
    code = next(d["code"] for d in NETWORK.dealers_at(2) if d["grade"] == "A" and d["status"] == "active")
    outcome = place(network, order_for(code, well_stocked_lines(NETWORK, code, 5, 2)))
    assert outcome.ok, outcome.failures
    assert outcome.status == "allocated"
    assert outcome.quote is not None and outcome.quote.total_net > 0
    assert {line.price_list_code for line in outcome.quote.lines if not line.is_free_goods} <= {"PL-LEVEL1"}
    assert {a.location_code for a in outcome.allocations} <= {"WH-SH", "WH-GZ", "WH-CD", "WH-WH"}
    shipment = [ShipmentLine(a.line_no, a.qty, a.location_code, a.lot) for a in outcome.allocations]
    assert ship(network, outcome.order_no or "", shipment, actor="wms").status == "shipped"
    assert_consistent(network)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("T-0049", ReasonCode.DEALER_INACTIVE),  # frozen terminal
        ("D2-012", ReasonCode.DEALER_INACTIVE),  # suspended level-2 dealer
        ("T-0044", ReasonCode.QUALIFICATION_EXPIRED),  # food permit ran out in September
        ("D2-005", ReasonCode.CONTRACT_EXPIRED),  # last year's contract, never renewed
        ("D2-003", ReasonCode.CONTRACT_MISSING),  # contract sent, not signed
    ],
)
def test_the_networks_problem_dealers_are_rejected_with_their_reason(
    network: Engine, code: str, reason: ReasonCode
) -> None:
    outcome = place(network, order_for(code, well_stocked_lines(NETWORK, code, 1, 1)))
    assert outcome.status == "rejected"
    assert reason in outcome.reasons


def test_the_dealer_near_its_credit_limit_goes_on_hold_for_a_big_order(network: Engine) -> None:
    near = "D1-007"  # open receivables at 95 % of a 1,400,000 limit
    with network.connect() as conn:
        before = read_exposure(conn, near).total
    assert before == Decimal("1330000.00")
    lines = well_stocked_lines(NETWORK, near, 6, 60)
    outcome = place(network, order_for(near, lines, idempotency_key="big-one"))
    assert outcome.quote is not None and outcome.quote.total_net > Decimal(70_000)
    assert outcome.status == "on_hold" and outcome.reasons == (ReasonCode.CREDIT_LIMIT_EXCEEDED,)
    with network.connect() as conn:
        assert read_exposure(conn, near).total == before


def test_an_order_of_sixty_lines_reserves_every_line(network: Engine) -> None:
    # ERPNext #51519 reserved only the first 50 lines of a sales order.
    outcome = place(network, order_for("ND-EAST", well_stocked_lines(NETWORK, "ND-EAST", 60, 1)))
    assert outcome.ok, outcome.failures
    if outcome.status == "pending_approval":
        approve(network, outcome.order_no or "", settings=settings(), actor="sales.li")
    with network.connect() as conn:
        reserved_lines = conn.execute(
            sa.select(sa.func.count(sa.distinct(reservations.c.line_no))).where(
                reservations.c.order_no == outcome.order_no, reservations.c.status == "active"
            )
        ).scalar_one()
    assert reserved_lines == 60
    assert_consistent(network)
