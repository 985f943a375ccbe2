"""Promotions: 满减 with exact proportional allocation, 买A送B in whole units, bundles, stacking, floors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dms_core.pricing import (
    BundleComponent,
    PriceList,
    PriceListItem,
    PricingCatalog,
    PricingContext,
    PricingProduct,
    Promotion,
    PromotionKind,
    Quote,
    QuoteRequest,
    Reason,
    quote,
)
from dms_core.pricing.amounts import allocate

D = Decimal
CONTEXT = PricingContext("D1", 2, "440106", date(2024, 5, 1))
# Prices chosen so proportional splits leave remainders.
PRICES = {"A": "3.33", "B": "6.67", "C": "10.00", "G": "2.50", "F": "1.00"}
PRODUCTS = [
    PricingProduct("A", "L1"),
    PricingProduct("B", "L1"),
    PricingProduct("C", "L2", None, D("9.00")),
    PricingProduct("G", None, D("5.00")),
    PricingProduct("F", None, D("4.00")),  # guide price only, on no price list
]


def run(promotions: list[Promotion], *lines: tuple[str, int]) -> Quote:
    catalog = PricingCatalog(
        products=PRODUCTS,
        price_lists=[PriceList("STD")],
        price_list_items=[PriceListItem("STD", sku, D(p)) for sku, p in PRICES.items() if sku != "F"],
        promotions=promotions,
    )
    return quote(catalog, CONTEXT, QuoteRequest(lines))


def order_reasons(result: Quote) -> dict[str, Reason]:
    return {e.code: e.reason for e in result.explanation}


def manjian(code: str = "MJ", threshold: str = "100", off: str = "10", **more: object) -> Promotion:
    return Promotion(
        code,
        PromotionKind.THRESHOLD_DISCOUNT,
        threshold_amount=D(threshold),
        discount_amount=D(off),
        **more,  # type: ignore[arg-type]
    )


def assert_balanced(result: Quote) -> None:
    assert sum(line.net_amount for line in result.lines) == result.total_net
    assert result.total_list - result.total_discount == result.total_net
    for line in result.lines:
        assert line.list_amount - sum(d.amount for d in line.discounts) == line.net_amount


def test_manjian_splits_the_discount_in_proportion_and_the_shares_sum_exactly() -> None:
    result = run([manjian(threshold="100", off="10")], ("A", 11), ("B", 7), ("C", 3))
    # Amounts 36.63 + 46.69 + 30.00 = 113.32; 10.00 split pro rata, remainders to the largest fractions.
    shares = [sum(d.amount for d in line.discounts) for line in result.lines]
    assert shares == [D("3.23"), D("4.12"), D("2.65")]
    assert sum(shares) == D("10.00")
    assert result.total_net == D("103.32")
    assert result.order_promotions[0].allocations == ((1, D("3.23")), (2, D("4.12")), (3, D("2.65")))
    assert_balanced(result)


@pytest.mark.parametrize(
    ("qty", "reason", "total_net"),
    [(29, Reason.BELOW_THRESHOLD, "96.57"), (30, Reason.APPLIED, "89.90"), (31, Reason.APPLIED, "93.23")],
    ids=["just_below", "exactly_at_threshold", "above"],
)
def test_manjian_needs_the_threshold_reached(qty: int, reason: Reason, total_net: str) -> None:
    # 30 × 3.33 = 99.90 < 100: the threshold is measured on amounts, so 31 units are needed.
    result = run([manjian(threshold="99.90")], ("A", qty))
    assert order_reasons(result)["MJ"] is reason
    assert result.total_net == D(total_net)


def test_manjian_applies_once_unless_repeat_per_multiple() -> None:
    once = run([manjian()], ("C", 25))
    repeated = run([manjian(repeat=True)], ("C", 25))
    assert once.total_discount == D("10.00")
    assert repeated.total_discount == D("20.00")  # 250.00 holds two full multiples of 100


def test_manjian_scoped_to_a_product_line_counts_only_its_lines() -> None:
    result = run([manjian(threshold="50", off="4", product_line_code="L2")], ("A", 30), ("C", 5))
    assert [line.promotion_discount for line in result.lines] == [D("0.00"), D("4.00")]
    below = run([manjian(threshold="60", product_line_code="L2")], ("A", 30), ("C", 5))
    assert order_reasons(below)["MJ"] is Reason.BELOW_THRESHOLD


def test_a_non_stackable_promotion_keeps_others_off_its_lines() -> None:
    big = manjian("BIG", threshold="500", off="50", priority=10, stackable=False)
    small = manjian("SMALL", threshold="100", off="10", priority=20)
    both_lines = run([small, big], ("C", 60))
    assert order_reasons(both_lines) == {"BIG": Reason.APPLIED, "SMALL": Reason.NO_ELIGIBLE_LINES}
    line_entry = next(e for e in both_lines.lines[0].explanation if e.code == "SMALL")
    assert line_entry.reason is Reason.EXCLUDED_BY_NON_STACKABLE
    ladder_low = run([small, big], ("C", 20))
    assert order_reasons(ladder_low) == {"BIG": Reason.BELOW_THRESHOLD, "SMALL": Reason.APPLIED}


def test_a_non_stackable_promotion_skips_lines_already_promoted() -> None:
    first = manjian("FIRST", threshold="10", off="1", priority=10)
    second = manjian("SECOND", threshold="10", off="5", priority=20, stackable=False)
    result = run([first, second], ("C", 5))
    assert order_reasons(result) == {"FIRST": Reason.APPLIED, "SECOND": Reason.NO_ELIGIBLE_LINES}
    assert next(e for e in result.lines[0].explanation if e.code == "SECOND").reason is Reason.NOT_STACKABLE


def gift(free_qty: str = "1", buy_qty: str = "10", free_sku: str | None = "G", **more: object) -> Promotion:
    return Promotion(
        "GIFT",
        PromotionKind.BUY_X_GET_Y,
        sku="A",
        buy_qty=D(buy_qty),
        free_sku=free_sku,
        free_qty=D(free_qty),
        **more,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("bought", "free_qty", "expected_free"),
    [(25, "1", 2), (30, "1", 3), (25, "0.5", 1), (15, "0.5", 0), (9, "1", 0), (100, "1.5", 15)],
    ids=[
        "floor_per_multiple",
        "exact_multiple",
        "half_per_multiple_floors",
        "half_rounds_to_none",
        "below_buy_qty",
        "one_and_a_half",
    ],
)
def test_buy_x_get_y_gives_whole_free_units_per_full_multiple(
    bought: int, free_qty: str, expected_free: int
) -> None:
    # ERPNext #40867 gave 1.5 free units; free goods here are always whole.
    result = run([gift(free_qty)], ("A", bought))
    free = [line for line in result.lines if line.is_free_goods]
    if expected_free == 0:
        assert free == []
        assert order_reasons(result)["GIFT"] is Reason.BELOW_BUY_QTY
        return
    (line,) = free
    assert line.qty == expected_free and line.qty == line.qty.to_integral_value()
    assert (line.sku, line.net_amount, line.net_unit_price) == ("G", D("0.00"), D("0.0000"))
    assert line.list_amount == D("2.50") * expected_free
    assert result.order_promotions[0].free_lines == (line.line_no,)
    assert_balanced(result)


def test_free_goods_of_the_bought_sku_are_a_separate_line() -> None:
    result = run([gift(free_sku=None)], ("A", 20))
    assert [(line.sku, line.qty, line.is_free_goods) for line in result.lines] == [
        ("A", D(20), False),
        ("A", D(2), True),
    ]
    assert result.lines[0].net_amount == D("66.60")


def test_free_goods_without_a_price_list_are_valued_at_the_guide_price() -> None:
    result = run([gift(free_sku="F")], ("A", 10))
    assert result.lines[1].list_amount == D("4.00")
    assert "guide price" in result.lines[1].explanation[0].detail


def test_free_goods_of_an_unknown_sku_are_refused_with_a_reason() -> None:
    result = run([gift(free_sku="NOPE")], ("A", 10))
    assert order_reasons(result)["GIFT"] is Reason.UNKNOWN_FREE_SKU
    assert len(result.lines) == 1


def bundle(price: str, **more: object) -> Promotion:
    components = (BundleComponent("A", D(1)), BundleComponent("B", D(2)))
    return Promotion("SET", PromotionKind.BUNDLE, bundle=components, bundle_price=D(price), **more)  # type: ignore[arg-type]


def test_each_complete_bundle_set_costs_the_bundle_price() -> None:
    # 3 A and 5 B make 2 sets (B limits); consumed: 2 A (6.66) + 4 B (26.68) = 33.34 → 2 × 15.00.
    result = run([bundle("15.00")], ("A", 3), ("B", 5))
    assert result.order_promotions[0].amount == D("3.34")
    assert result.total_net == D("9.99") + D("33.35") - D("3.34")
    assert sum(line.promotion_discount for line in result.lines) == D("3.34")
    assert_balanced(result)


def test_an_incomplete_bundle_does_not_apply() -> None:
    result = run([bundle("15.00")], ("A", 3), ("B", 1))
    assert order_reasons(result)["SET"] is Reason.BUNDLE_INCOMPLETE
    assert result.total_discount == D("0.00")


def test_a_bundle_price_above_the_set_value_is_not_applied() -> None:
    result = run([bundle("20.00")], ("A", 1), ("B", 2))
    assert order_reasons(result)["SET"] is Reason.NO_BENEFIT
    assert result.total_net == D("16.67")


def test_bundles_rank_before_manjian_so_the_threshold_sees_bundle_prices() -> None:
    result = run([manjian(threshold="16.67"), bundle("15.00")], ("A", 1), ("B", 2))
    assert order_reasons(result) == {"SET": Reason.APPLIED, "MJ": Reason.BELOW_THRESHOLD}


def test_manjian_never_takes_a_line_below_its_floor_and_moves_the_rest_to_other_lines() -> None:
    # C: 10 × 10.00 with floor 9.00 → at most 10.00 off C; A takes the remainder.
    result = run([manjian(threshold="100", off="30")], ("C", 10), ("A", 30))
    c_line, a_line = result.lines
    assert c_line.promotion_discount == D("10.00") and c_line.net_amount == D("90.00")
    assert a_line.promotion_discount == D("20.00")
    assert next(e for e in c_line.explanation if e.code == "MJ").reason is Reason.FLOOR_CLAMPED
    assert order_reasons(result)["MJ"] is Reason.APPLIED


def test_manjian_is_cut_when_every_line_is_at_its_floor() -> None:
    result = run([manjian(threshold="100", off="30")], ("C", 12))
    assert result.total_net == D("108.00")
    assert order_reasons(result)["MJ"] is Reason.FLOOR_CLAMPED
    assert "30.00 requested, 12.00 granted" in result.explanation[0].detail


def test_a_promotion_allowed_below_floor_is_granted_in_full() -> None:
    result = run([manjian(threshold="100", off="30", allow_below_floor=True)], ("C", 12))
    assert result.total_net == D("90.00")


def test_promotions_check_dealer_level_region_and_window() -> None:
    promotions = [
        manjian("LEVEL", dealer_level=3),
        manjian("REGION", region_prefix="31"),
        manjian("LATER", valid_from=date(2024, 6, 1)),
        manjian("OFF", active=False),
    ]
    result = run(promotions, ("C", 20))
    assert order_reasons(result) == {
        "LEVEL": Reason.LEVEL_MISMATCH,
        "REGION": Reason.REGION_MISMATCH,
        "LATER": Reason.NOT_IN_WINDOW,
        "OFF": Reason.INACTIVE,
    }
    assert result.total_discount == D("0.00")


def test_allocation_sums_exactly_and_breaks_remainder_ties_by_line_order() -> None:
    shares, capped = allocate(D("0.10"), [D(1), D(1), D(1)], [D(10), D(10), D(10)])
    assert shares == [D("0.04"), D("0.03"), D("0.03")]
    assert capped == set()


def test_allocation_respects_caps_and_reports_them() -> None:
    shares, capped = allocate(D("10.00"), [D(50), D(50)], [D(2), D(100)])
    assert shares == [D("2.00"), D("8.00")]
    assert capped == {0}
    shares, capped = allocate(D("10.00"), [D(50), D(50)], [D(2), D(3)])
    assert shares == [D("2.00"), D("3.00")]
    assert capped == {0, 1}
