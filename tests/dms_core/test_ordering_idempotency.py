"""Idempotent placing, one-click reorder and the invariant check itself (both backends)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import price_list_items, reservations, stock_levels
from dms_core.ordering import OrderNotFound, check_reservation_invariant, place_order, reorder
from dms_core.ordering.repository import insert_order
from tests.dms_core.ordering_support import (
    DAY,
    assert_consistent,
    count_orders,
    lines_of,
    order_row,
    outbox_rows,
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


def test_resubmitting_with_the_same_key_returns_the_first_order(world: Engine) -> None:
    same = settings()
    first = place_order(world, request(idempotency_key="portal-1"), settings=same)
    again = place_order(world, request(idempotency_key="portal-1"), settings=same)
    assert again.order_no == first.order_no and again.replayed and not first.replayed
    assert again.status == first.status == "allocated"
    assert again.allocations == first.allocations
    assert [c.reason_code for c in again.validation] == [c.reason_code for c in first.validation]
    assert again.pricing is not None and again.pricing["total_net"] == "544.00"
    assert count_orders(world) == 1 and len(outbox_rows(world)) == 1
    assert_consistent(world)


def test_a_rejected_order_is_replayed_too(world: Engine) -> None:
    first = place_order(world, request(idempotency_key="k", lines=[("BUTTER", 1)]), settings=settings())
    again = place_order(world, request(idempotency_key="k"), settings=settings())  # fixed, but same key
    assert (again.order_no, again.status) == (first.order_no, "rejected")
    assert again.reasons == first.reasons


def test_the_key_is_per_dealer(world: Engine) -> None:
    a = place_order(world, request(idempotency_key="k"), settings=settings())
    b = place_order(
        world,
        request(dealer_code="DB", ship_to_region_code="330102", idempotency_key="k"),
        settings=settings(),
    )
    assert a.order_no != b.order_no and count_orders(world) == 2


def test_orders_without_a_key_are_never_merged(world: Engine) -> None:
    place_order(world, request(), settings=settings())
    place_order(world, request(), settings=settings())
    assert count_orders(world) == 2


def test_a_concurrent_duplicate_insert_is_absorbed_not_raised(world: Engine) -> None:
    header = {
        "order_no": "SO-1",
        "dealer_code": "DA",
        "idempotency_key": "k",
        "order_date": DAY,
        "status": "submitted",
    }
    with world.begin() as conn:
        assert insert_order(conn, header) is True
        assert insert_order(conn, {**header, "order_no": "SO-2"}) is False
    assert count_orders(world) == 1


def test_reorder_copies_the_lines_and_prices_them_anew(world: Engine) -> None:
    original = place_order(world, request(lines=[("MILK", 2, "CS"), ("FORMULA", 6)]), settings=settings())
    assert [line.is_free_goods for line in lines_of(world, original.order_no or "")] == [False, False, True]
    update(world, price_list_items, {"price_list_code": "PL-L1", "sku": "MILK"}, unit_price=D("3.50"))
    again = reorder(world, original.order_no or "", settings=settings(), order_date=DAY, created_by="dealer")
    assert again.order_no != original.order_no and again.status == "allocated"
    copied = lines_of(world, again.order_no or "")
    assert [(line.sku, line.qty, line.unit, line.is_free_goods) for line in copied] == [
        ("MILK", D(2), "CS", False),
        ("FORMULA", D(6), "EA", False),
        ("CHEESE", D(1), "EA", True),  # the gift is decided again, not copied
    ]
    assert copied[0].net_amount == D("168.00")
    assert order_row(world, again.order_no or "").origin == "reorder"
    assert_consistent(world)


def test_reorder_of_an_unknown_order_is_refused(world: Engine) -> None:
    with pytest.raises(OrderNotFound):
        reorder(world, "SO-NOPE", settings=settings(), order_date=DAY)


def test_the_invariant_check_reports_drift_and_orphans(world: Engine) -> None:
    place_order(world, request(), settings=settings())
    with world.connect() as conn:
        assert check_reservation_invariant(conn) == []
    update(
        world, stock_levels, {"location_code": "WH-SH", "sku": "MILK"}, reserved=D(0)
    )  # a sync overwrote it
    with world.begin() as conn:
        conn.execute(
            reservations.insert(),
            [{"order_no": "GHOST", "line_no": 1, "location_code": "WH-XX", "sku": "MILK", "qty": D(5)}],
        )
    with world.connect() as conn:
        drift = check_reservation_invariant(conn)
    assert [(d.location_code, d.sku, d.reserved, d.active_reservations) for d in drift] == [
        ("WH-SH", "MILK", D(0), D(48)),
        ("WH-XX", "MILK", None, D(5)),
    ]
    with world.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(reservations)).scalar_one() == 3


class CountingNumbers:
    """Order numbers from a counter: a hand-written fake of the OrderNumbers port."""

    def __init__(self) -> None:
        self.issued = 0

    def next(self, order_date: date) -> str:
        self.issued += 1
        return f"T{order_date:%y%m%d}-{self.issued:03d}"


def test_order_numbers_come_from_the_port(world: Engine) -> None:
    numbers = CountingNumbers()
    first = place_order(world, request(), settings=settings(order_numbers=numbers))
    second = place_order(world, request(lines=[("BUTTER", 1)]), settings=settings(order_numbers=numbers))
    assert (first.order_no, second.order_no) == ("T261102-001", "T261102-002")
