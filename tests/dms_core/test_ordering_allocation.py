"""Available-to-promise and split allocation: pure rules, then through place_order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.engine import Engine

from dms_core.ordering import (
    Allocation,
    Demand,
    LocationInfo,
    StockRow,
    WarehouseStrategy,
    allocate,
    place_order,
    rank_locations,
)
from tests.dms_core.ordering_support import assert_consistent, request, seed_world, settings

D = Decimal
ON = date(2026, 11, 2)
NEAR = LocationInfo("WH-HZ", "brand_warehouse", None, "330102", 30)
FAR = LocationInfo("WH-SH", "brand_warehouse", None, "310115", 10)
PROVINCE = LocationInfo("WH-NB", "brand_warehouse", None, "330203", 20)
RANKS = {"A": 0, "B": 1, "C": 2}


def row(
    location: str, sku: str, on_hand: int, reserved: int = 0, lot: str = "", expiry: date | None = None
) -> StockRow:
    return StockRow(location, sku, lot, D(on_hand), D(reserved), expiry)


def picks(allocations: list[Allocation]) -> list[tuple[int, str, str, Decimal]]:
    return [(a.line_no, a.location_code, a.lot, a.qty) for a in allocations]


def test_priority_strategy_ranks_by_priority_then_code() -> None:
    assert rank_locations([NEAR, FAR, PROVINCE], WarehouseStrategy.PRIORITY, "330106") == {
        "WH-SH": 0,
        "WH-NB": 1,
        "WH-HZ": 2,
    }


def test_nearest_strategy_ranks_same_city_then_same_province_then_priority() -> None:
    assert rank_locations([NEAR, FAR, PROVINCE], WarehouseStrategy.NEAREST, "330106") == {
        "WH-HZ": 0,
        "WH-NB": 1,
        "WH-SH": 2,
    }


def test_nearest_without_a_ship_to_region_falls_back_to_priority() -> None:
    assert list(rank_locations([NEAR, FAR], WarehouseStrategy.NEAREST, None)) == ["WH-SH", "WH-HZ"]


def test_a_line_comes_whole_from_the_best_warehouse_that_can_cover_it() -> None:
    stock = [row("A", "X", 5), row("B", "X", 20), row("C", "X", 100)]
    allocations, shortages = allocate([Demand(1, "X", D(10))], stock, RANKS, on=ON)
    assert shortages == [] and picks(allocations) == [(1, "B", "", D(10))]


def test_a_line_no_warehouse_covers_is_split_in_rank_order() -> None:
    stock = [row("A", "X", 5), row("B", "X", 4), row("C", "X", 3)]
    allocations, _ = allocate([Demand(1, "X", D(11))], stock, RANKS, on=ON)
    assert picks(allocations) == [(1, "A", "", D(5)), (1, "B", "", D(4)), (1, "C", "", D(2))]


def test_lots_go_first_expired_first_out_and_expired_lots_are_skipped() -> None:
    stock = [
        row("A", "X", 10, lot="L3", expiry=date(2027, 3, 1)),
        row("A", "X", 10, lot="L1", expiry=date(2026, 10, 1)),  # expired
        row("A", "X", 4, lot="L2", expiry=date(2027, 1, 1)),
        row("A", "X", 10, lot=""),  # no expiry: last
    ]
    allocations, _ = allocate([Demand(1, "X", D(20))], stock, RANKS, on=ON)
    assert picks(allocations) == [(1, "A", "L2", D(4)), (1, "A", "L3", D(10)), (1, "A", "", D(6))]


def test_available_is_on_hand_minus_reserved() -> None:
    allocations, shortages = allocate([Demand(1, "X", D(6))], [row("A", "X", 10, reserved=5)], RANKS, on=ON)
    assert allocations == [] and [(s.requested, s.available) for s in shortages] == [(D(6), D(5))]


def test_lines_of_the_same_sku_share_availability() -> None:
    demands = [Demand(1, "X", D(6)), Demand(2, "X", D(6))]
    allocations, shortages = allocate(demands, [row("A", "X", 10)], RANKS, on=ON)
    assert allocations == [] and [(s.line_no, s.available) for s in shortages] == [(2, D(4))]


def test_any_shortage_means_no_allocation_and_every_short_line_is_reported() -> None:
    demands = [Demand(1, "X", D(1)), Demand(2, "Y", D(5)), Demand(3, "Z", D(1))]
    allocations, shortages = allocate(demands, [row("A", "X", 10), row("A", "Y", 2)], RANKS, on=ON)
    assert allocations == []
    assert [(s.line_no, s.sku) for s in shortages] == [(2, "Y"), (3, "Z")]


def test_stock_outside_the_supplying_locations_is_ignored() -> None:
    _, shortages = allocate([Demand(1, "X", D(1))], [row("DEALER", "X", 10)], RANKS, on=ON)
    assert [s.sku for s in shortages] == ["X"]


def test_nearest_strategy_ships_from_the_ship_to_city(engine: Engine) -> None:
    seed_world(engine)
    near = settings(warehouse_strategy=WarehouseStrategy.NEAREST)
    outcome = place_order(engine, request(lines=[("MILK", 2, "CS")]), settings=near)
    assert [(a.location_code, a.qty) for a in outcome.allocations] == [("WH-HZ", D(48))]
    by_priority = place_order(engine, request(lines=[("MILK", 2, "CS")]), settings=settings())
    assert [(a.location_code, a.qty) for a in by_priority.allocations] == [("WH-SH", D(48))]
    assert_consistent(engine)
