"""Price rules: every kind of scope and condition, and how rules interact (table-driven)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from dms_core.pricing import (
    Action,
    PriceList,
    PriceListItem,
    PriceRule,
    PricingCatalog,
    PricingContext,
    PricingProduct,
    QuotedLine,
    QuoteRequest,
    Reason,
    TierMode,
    quote,
)

D = Decimal
DAY = date(2024, 5, 1)
# Product A on line L1: list price 10.00 (9.00 from 100 units), floor 5.00.
PRODUCTS = [PricingProduct("A", "L1", D("20.00"), D("5.00")), PricingProduct("B", "L2", None, None)]
LISTS = [PriceList("STD")]
ITEMS = [
    PriceListItem("STD", "A", D("10.00")),
    PriceListItem("STD", "A", D("9.00"), D(100)),
    PriceListItem("STD", "B", D("4.00")),
]
CONTEXT = PricingContext("D1", 2, "440106", DAY)


def price_line(
    rules: list[PriceRule], qty: int = 10, context: PricingContext = CONTEXT, explain_all: bool = False
) -> QuotedLine:
    catalog = PricingCatalog(products=PRODUCTS, price_lists=LISTS, price_list_items=ITEMS, rules=rules)
    return quote(catalog, context, QuoteRequest([("A", qty)]), explain_all=explain_all).lines[0]


def reasons(line: QuotedLine) -> dict[str, Reason]:
    return {e.code: e.reason for e in line.explanation if e.source == "rule"}


def rule(code: str, action: Action = Action.PERCENT_OFF, value: str = "10", **scope: object) -> PriceRule:
    return PriceRule(code, action, D(value), **scope)  # type: ignore[arg-type]


SINGLE_RULE_CASES = [
    # (case id, rule, qty, expected net amount, expected reason)
    ("percent_off", rule("R"), 10, "90.00", Reason.APPLIED),
    ("amount_off", rule("R", Action.AMOUNT_OFF, "1.5"), 10, "85.00", Reason.APPLIED),
    ("fixed_price", rule("R", Action.FIXED_PRICE, "8"), 10, "80.00", Reason.APPLIED),
    ("inactive", rule("R", active=False), 10, "100.00", Reason.INACTIVE),
    (
        "window_ended_the_day_before",
        rule("R", valid_until=date(2024, 4, 30)),
        10,
        "100.00",
        Reason.NOT_IN_WINDOW,
    ),
    (
        "window_starts_the_day_after",
        rule("R", valid_from=date(2024, 5, 2)),
        10,
        "100.00",
        Reason.NOT_IN_WINDOW,
    ),
    ("window_ends_on_the_order_date", rule("R", valid_until=DAY), 10, "90.00", Reason.APPLIED),
    (
        "window_starts_on_the_order_date",
        rule("R", valid_from=DAY, valid_until=DAY),
        10,
        "90.00",
        Reason.APPLIED,
    ),
    ("own_dealer", rule("R", dealer_code="D1"), 10, "90.00", Reason.APPLIED),
    ("own_level", rule("R", dealer_level=2), 10, "90.00", Reason.APPLIED),
    ("other_level", rule("R", dealer_level=3), 10, "100.00", Reason.LEVEL_MISMATCH),
    ("province_prefix", rule("R", region_prefix="44"), 10, "90.00", Reason.APPLIED),
    ("province_full_code", rule("R", region_prefix="440000"), 10, "90.00", Reason.APPLIED),
    ("city_prefix", rule("R", region_prefix="4401"), 10, "90.00", Reason.APPLIED),
    ("district_code", rule("R", region_prefix="440106"), 10, "90.00", Reason.APPLIED),
    ("other_province", rule("R", region_prefix="31"), 10, "100.00", Reason.REGION_MISMATCH),
    ("other_city_same_province", rule("R", region_prefix="4403"), 10, "100.00", Reason.REGION_MISMATCH),
    ("own_sku", rule("R", sku="A"), 10, "90.00", Reason.APPLIED),
    ("own_product_line", rule("R", product_line_code="L1"), 10, "90.00", Reason.APPLIED),
    (
        "sku_with_other_line",
        rule("R", sku="A", product_line_code="L2"),
        10,
        "100.00",
        Reason.PRODUCT_MISMATCH,
    ),
    ("threshold_below_min_qty", rule("R", min_qty=D(20)), 10, "100.00", Reason.BELOW_MIN_QTY),
    ("threshold_at_min_qty", rule("R", min_qty=D(10)), 10, "90.00", Reason.APPLIED),
    ("threshold_above_max_qty", rule("R", max_qty=D(5)), 10, "100.00", Reason.ABOVE_MAX_QTY),
    ("threshold_at_max_qty", rule("R", max_qty=D(10)), 10, "90.00", Reason.APPLIED),
    ("below_min_amount", rule("R", min_amount=D("100.01")), 10, "100.00", Reason.BELOW_MIN_AMOUNT),
    ("at_min_amount", rule("R", min_amount=D("100.00")), 10, "90.00", Reason.APPLIED),
    # ERPNext #18006: a quantity-tier rule must be able to re-price only the excess.
    (
        "threshold_reprices_all_units",
        rule("R", Action.FIXED_PRICE, "8", min_qty=D(6)),
        10,
        "80.00",
        Reason.APPLIED,
    ),
    (
        "incremental_reprices_units_above_min_qty",
        rule("R", Action.FIXED_PRICE, "8", min_qty=D(6), tier_mode=TierMode.INCREMENTAL),
        10,
        "92.00",  # 6 × 10.00 + 4 × 8.00
        Reason.APPLIED,
    ),
    (
        "incremental_band_between_min_and_max",
        rule("R", value="50", min_qty=D(5), max_qty=D(8), tier_mode=TierMode.INCREMENTAL),
        10,
        "85.00",  # 5 × 10 + 3 × 5 + 2 × 10
        Reason.APPLIED,
    ),
    (
        "incremental_needs_units_above_min_qty",
        rule("R", min_qty=D(10), tier_mode=TierMode.INCREMENTAL),
        10,
        "100.00",
        Reason.BELOW_MIN_QTY,
    ),
    ("price_list_quantity_tier_and_rules_of_other_skus_unseen", rule("R", sku="B"), 100, "900.00", None),
]


@pytest.mark.parametrize(
    ("one_rule", "qty", "net", "reason"),
    [case[1:] for case in SINGLE_RULE_CASES],
    ids=[case[0] for case in SINGLE_RULE_CASES],
)
def test_single_rule_scope_and_conditions(
    one_rule: PriceRule, qty: int, net: str, reason: Reason | None
) -> None:
    line = price_line([one_rule], qty)
    assert line.net_amount == D(net)
    assert reasons(line).get("R") == reason


def test_a_rule_for_another_dealer_is_named_other_dealer_when_explaining_all() -> None:
    other = rule("R", dealer_code="D2")
    assert "R" not in reasons(price_line([other]))
    line = price_line([other], explain_all=True)
    assert line.net_amount == D("100.00")
    assert reasons(line)["R"] is Reason.OTHER_DEALER


def test_a_context_without_region_misses_region_rules() -> None:
    line = price_line([rule("R", region_prefix="44")], context=replace(CONTEXT, region_code=None))
    assert reasons(line)["R"] is Reason.REGION_MISMATCH


EXCLUSIVE = {"exclusive": True}
TIE_BREAK_CASES = [
    # Two exclusive fixed prices with the same priority: the more specific one wins.
    ("dealer_beats_sku", {"dealer_code": "D1"}, {"sku": "A"}),
    ("sku_beats_product_line", {"sku": "A"}, {"product_line_code": "L1"}),
    ("product_line_beats_region", {"product_line_code": "L1"}, {"region_prefix": "440106"}),
    ("longer_region_prefix_wins", {"region_prefix": "4401"}, {"region_prefix": "44"}),
    ("district_beats_city", {"region_prefix": "440106"}, {"region_prefix": "440100"}),
    ("region_beats_level", {"region_prefix": "44"}, {"dealer_level": 2}),
    ("level_beats_global", {"dealer_level": 2}, {}),
    ("dealer_beats_everything_else_combined", {"dealer_code": "D1"}, {"sku": "A", "region_prefix": "440106"}),
]


@pytest.mark.parametrize(
    ("winner_scope", "loser_scope"),
    [case[1:] for case in TIE_BREAK_CASES],
    ids=[case[0] for case in TIE_BREAK_CASES],
)
def test_specificity_breaks_priority_ties(
    winner_scope: dict[str, object], loser_scope: dict[str, object]
) -> None:
    # Codes chosen so the code tie-break would pick the loser: specificity must decide.
    winner = rule("Z", Action.FIXED_PRICE, "7", **winner_scope, **EXCLUSIVE)
    loser = rule("A", Action.FIXED_PRICE, "8", **loser_scope, **EXCLUSIVE)
    line = price_line([loser, winner])
    assert line.net_amount == D("70.00")
    assert reasons(line) == {"Z": Reason.APPLIED, "A": Reason.LOWER_PRIORITY_EXCLUSIVE}


def test_lower_priority_number_beats_specificity() -> None:
    specific = rule("DEALER", Action.FIXED_PRICE, "7", dealer_code="D1", priority=20, exclusive=True)
    general = rule("GLOBAL", Action.FIXED_PRICE, "8", priority=10, exclusive=True)
    line = price_line([specific, general])
    assert line.net_amount == D("80.00")
    assert reasons(line) == {"GLOBAL": Reason.APPLIED, "DEALER": Reason.LOWER_PRIORITY_EXCLUSIVE}


def test_code_breaks_the_last_tie() -> None:
    line = price_line(
        [
            rule("R2", Action.FIXED_PRICE, "8", exclusive=True),
            rule("R1", Action.FIXED_PRICE, "7", exclusive=True),
        ]
    )
    assert line.net_amount == D("70.00")
    assert [e.code for e in line.explanation if e.source == "rule"] == ["R1", "R2"]


STACKING_CASES = [
    # (case id, [(code, action, value, priority)], expected net amount for 10 × 10.00)
    (
        "percent_then_amount",
        [("P", Action.PERCENT_OFF, "10", 10), ("M", Action.AMOUNT_OFF, "1", 20)],
        "80.00",
    ),
    (
        "amount_then_percent",
        [("M", Action.AMOUNT_OFF, "1", 10), ("P", Action.PERCENT_OFF, "10", 20)],
        "81.00",
    ),
    (
        "percents_compound",
        [("P1", Action.PERCENT_OFF, "10", 10), ("P2", Action.PERCENT_OFF, "10", 20)],
        "81.00",
    ),
    (
        "fixed_price_resets",
        [("P", Action.PERCENT_OFF, "10", 10), ("F", Action.FIXED_PRICE, "9.5", 20)],
        "95.00",
    ),
    (
        "discounts_after_a_fixed_price_apply_to_it",
        [
            ("P", Action.PERCENT_OFF, "10", 10),
            ("F", Action.FIXED_PRICE, "9.5", 20),
            ("Q", Action.PERCENT_OFF, "10", 30),
        ],
        "85.50",
    ),
    ("never_below_zero_without_floor", [("M", Action.AMOUNT_OFF, "50", 10)], "0.00"),
]


@pytest.mark.parametrize(
    ("steps", "net"), [c[1:] for c in STACKING_CASES], ids=[c[0] for c in STACKING_CASES]
)
def test_non_exclusive_rules_stack_in_rank_order(steps: list[tuple[str, Action, str, int]], net: str) -> None:
    rules = [
        rule(code, action, value, priority=priority, allow_below_floor=True)
        for code, action, value, priority in steps
    ]
    line = price_line(rules)
    assert line.net_amount == D(net)
    assert all(r is Reason.APPLIED for r in reasons(line).values())
    assert line.list_amount - sum(d.amount for d in line.discounts) == line.net_amount


def test_exclusive_rule_stops_later_rules_but_keeps_earlier_ones() -> None:
    rules = [
        rule("EARLY", priority=10),
        rule("STOP", Action.AMOUNT_OFF, "1", priority=20, exclusive=True),
        rule("LATE", value="50", priority=30),
    ]
    line = price_line(rules)
    assert line.net_amount == D("80.00")
    assert reasons(line) == {
        "EARLY": Reason.APPLIED,
        "STOP": Reason.APPLIED,
        "LATE": Reason.LOWER_PRIORITY_EXCLUSIVE,
    }


def test_an_exclusive_rule_that_does_not_apply_stops_nothing() -> None:
    rules = [rule("STOP", priority=10, exclusive=True, min_qty=D(50)), rule("NEXT", priority=20)]
    line = price_line(rules)
    assert line.net_amount == D("90.00")
    assert reasons(line) == {"STOP": Reason.BELOW_MIN_QTY, "NEXT": Reason.APPLIED}


def test_a_rule_cannot_push_the_price_below_the_floor() -> None:
    line = price_line([rule("R", value="60")])
    assert line.net_amount == D("50.00")
    assert line.net_unit_price == D("5.0000")
    entry = next(e for e in line.explanation if e.code == "R")
    assert entry.applied and entry.reason is Reason.FLOOR_CLAMPED
    assert "floor" in entry.detail


def test_allow_below_floor_lets_a_rule_go_under_the_floor() -> None:
    line = price_line([rule("R", value="60", allow_below_floor=True)])
    assert line.net_amount == D("40.00")
    assert reasons(line)["R"] is Reason.APPLIED


def test_a_later_rule_without_permission_cannot_go_lower_than_an_allowed_price() -> None:
    rules = [
        rule("DEEP", Action.FIXED_PRICE, "3", priority=10, allow_below_floor=True),
        rule("MORE", Action.AMOUNT_OFF, "1", priority=20),
    ]
    line = price_line(rules)
    assert line.net_amount == D("30.00")
    assert reasons(line) == {"DEEP": Reason.APPLIED, "MORE": Reason.FLOOR_CLAMPED}


def test_a_list_price_below_the_floor_is_raised_and_explained() -> None:
    catalog = PricingCatalog(
        products=[PricingProduct("C", None, None, D("6.00"))],
        price_lists=LISTS,
        price_list_items=[PriceListItem("STD", "C", D("5.00"))],
    )
    line = quote(catalog, CONTEXT, QuoteRequest([("C", 2)])).lines[0]
    assert (line.list_amount, line.net_amount) == (D("10.00"), D("12.00"))
    floor = next(e for e in line.explanation if e.source == "floor")
    assert floor.reason is Reason.FLOOR_CLAMPED and floor.amount == D("-2.00")


def test_unit_prices_stay_exact_and_the_line_amount_rounds_half_up_to_fen() -> None:
    # 3 × 10.00 × 0.915 = 27.45 exactly; 7 × 10 × 0.85 × 0.9 = 53.55; 3 × 3.335 = 10.005 → 10.01.
    assert price_line([rule("R", value="8.5")], 3).net_amount == D("27.45")
    two = [rule("R1", value="15", priority=1), rule("R2", value="10", priority=2)]
    assert price_line(two, 7).net_amount == D("53.55")
    odd = price_line([rule("R", Action.FIXED_PRICE, "3.335", allow_below_floor=True)], 3)
    assert odd.net_amount == D("10.01")
    assert odd.net_unit_price == D("3.3367")


def test_each_line_explains_every_rule_price_list_and_serialises_to_json() -> None:
    line = price_line([rule("R1"), rule("R2", dealer_level=4)])
    assert [(e.source, e.code, e.applied, e.reason) for e in line.explanation] == [
        ("price_list", "STD", True, Reason.APPLIED),
        ("rule", "R2", False, Reason.LEVEL_MISMATCH),  # level-scoped: more specific, ranked first
        ("rule", "R1", True, Reason.APPLIED),
    ]
    data = json.loads(json.dumps(line.as_dict()))
    assert data["explanation"][2] == {
        "source": "rule",
        "code": "R1",
        "applied": True,
        "reason": "applied",
        "detail": "percent_off 10%: line amount 100.00 -> 90.00",
        "amount": "10.00",
    }
