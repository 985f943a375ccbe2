"""Properties of the pricing engine over random catalogs, contexts and orders (hypothesis)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dms_core.pricing import (
    Action,
    BundleComponent,
    PriceList,
    PriceListItem,
    PriceRule,
    PricingCatalog,
    PricingContext,
    PricingProduct,
    Promotion,
    PromotionKind,
    Quote,
    QuoteRequest,
    TierMode,
    quote,
)

T = TypeVar("T")
D = Decimal
DAY = date(2024, 5, 1)
SKUS = ("A", "B", "C", "D", "E")
LINES = ("L1", "L2")
REGIONS = ("440106", "440303", "310101")
PREFIXES = (None, "44", "4401", "440106", "31")
DEALERS = ("D1", "D2")

fen = st.integers(min_value=1, max_value=20_000).map(lambda n: D(n).scaleb(-2))
maybe = st.none() | st.just(True)
window = st.sampled_from([(None, None), (DAY, DAY), (DAY + timedelta(1), None), (None, DAY - timedelta(1))])


@dataclass(frozen=True)
class Scenario:
    products: list[PricingProduct]
    lists: list[PriceList]
    items: list[PriceListItem]
    rules: list[PriceRule]
    promotions: list[Promotion]
    context: PricingContext
    lines: list[tuple[str, int]]

    def catalog(self, shuffle_seed: int | None = None) -> PricingCatalog:
        def rows(items: list[T]) -> list[T]:
            copied = list(items)
            if shuffle_seed is not None:
                random.Random(shuffle_seed).shuffle(copied)
            return copied

        return PricingCatalog(
            products=rows(self.products),
            price_lists=rows(self.lists),
            price_list_items=rows(self.items),
            rules=rows(self.rules),
            promotions=rows(self.promotions),
        )

    def quote(self, shuffle_seed: int | None = None) -> Quote:
        return quote(self.catalog(shuffle_seed), self.context, QuoteRequest(self.lines))


@st.composite
def rules(draw: st.DrawFn, code: str) -> PriceRule:
    action = draw(st.sampled_from(list(Action)))
    value = D(draw(st.integers(0, 100))) if action is Action.PERCENT_OFF else draw(fen)
    start, end = draw(window)
    min_qty = draw(st.none() | st.integers(0, 50).map(D))
    max_qty = draw(st.none() | st.integers(0, 50).map(D))
    if min_qty is not None and max_qty is not None and max_qty < min_qty:
        min_qty, max_qty = max_qty, min_qty
    return PriceRule(
        code,
        action,
        value,
        dealer_level=draw(st.none() | st.integers(1, 3)),
        region_prefix=draw(st.sampled_from(PREFIXES)),
        dealer_code=draw(st.none() | st.sampled_from(DEALERS)),
        product_line_code=draw(st.none() | st.sampled_from(LINES)),
        sku=draw(st.none() | st.sampled_from(SKUS)),
        min_qty=min_qty,
        max_qty=max_qty,
        tier_mode=draw(st.sampled_from(list(TierMode))),
        priority=draw(st.integers(1, 3)),
        exclusive=draw(st.booleans()),
        allow_below_floor=draw(st.booleans()),
        valid_from=start,
        valid_until=end,
        active=draw(st.booleans() | st.just(True)),
    )


@st.composite
def promotions(draw: st.DrawFn, code: str) -> Promotion:
    kind = draw(st.sampled_from(list(PromotionKind)))
    scope = {
        "dealer_level": draw(st.none() | st.integers(1, 3)),
        "region_prefix": draw(st.sampled_from(PREFIXES)),
        "priority": draw(st.integers(1, 3)),
        "stackable": draw(st.booleans()),
    }
    if kind is PromotionKind.THRESHOLD_DISCOUNT:
        return Promotion(
            code,
            kind,
            product_line_code=draw(st.none() | st.sampled_from(LINES)),
            threshold_amount=draw(fen),
            discount_amount=draw(fen),
            repeat=draw(st.booleans()),
            **scope,  # type: ignore[arg-type]
        )
    if kind is PromotionKind.BUY_X_GET_Y:
        return Promotion(
            code,
            kind,
            sku=draw(st.sampled_from(SKUS)),
            buy_qty=D(draw(st.integers(1, 20))),
            free_sku=draw(st.sampled_from(SKUS)),
            free_qty=draw(st.sampled_from([D(1), D(2), D("0.5"), D("1.5"), D("0.3")])),
            **scope,  # type: ignore[arg-type]
        )
    skus = draw(st.lists(st.sampled_from(SKUS), min_size=1, max_size=3, unique=True))
    components = tuple(BundleComponent(s, D(draw(st.integers(1, 3)))) for s in skus)
    return Promotion(code, kind, bundle=components, bundle_price=draw(fen), **scope)  # type: ignore[arg-type]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    products = [
        PricingProduct(sku, draw(st.sampled_from(LINES)), None, draw(st.none() | fen)) for sku in SKUS
    ]
    lists = [
        PriceList("STD"),
        PriceList(
            "LV",
            dealer_level=draw(st.integers(1, 3)),
            region_prefix=draw(st.sampled_from(PREFIXES)),
            priority=50,
        ),
    ]
    items = [PriceListItem("STD", sku, draw(fen)) for sku in SKUS]
    items += [
        PriceListItem("STD", sku, draw(fen), D(draw(st.integers(2, 40))))
        for sku in draw(st.lists(st.sampled_from(SKUS), max_size=3, unique=True))
    ]
    items += [
        PriceListItem("LV", sku, draw(fen))
        for sku in draw(st.lists(st.sampled_from(SKUS), max_size=5, unique=True))
    ]
    rule_list = [draw(rules(f"R{i}")) for i in range(draw(st.integers(0, 8)))]
    promotion_list = [draw(promotions(f"P{i}")) for i in range(draw(st.integers(0, 4)))]
    context = PricingContext(
        draw(st.sampled_from(DEALERS)), draw(st.integers(1, 3)), draw(st.sampled_from(REGIONS)), DAY
    )
    lines = draw(st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 60)), min_size=1, max_size=5))
    return Scenario(products, lists, items, rule_list, promotion_list, context, lines)


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(scenarios())
def test_net_price_never_goes_below_the_floor_unless_an_applied_rule_allows_it(scenario: Scenario) -> None:
    result = scenario.quote()
    products = {p.sku: p for p in scenario.products}
    for line in result.lines:
        floor = products[line.sku].price_floor
        if line.is_free_goods or floor is None:
            continue
        allowed = {r.code for r in scenario.rules if r.allow_below_floor}
        if any(e.applied and e.code in allowed for e in line.explanation if e.source == "rule"):
            continue
        assert line.net_amount >= floor * line.qty
        assert line.net_unit_price >= floor


@PROPERTY
@given(scenarios())
def test_free_quantities_are_always_whole_and_free_lines_cost_nothing(scenario: Scenario) -> None:
    for line in scenario.quote().lines:
        if line.is_free_goods:
            assert line.qty == line.qty.to_integral_value() and line.qty >= 1
            assert line.net_amount == 0


@PROPERTY
@given(scenarios())
def test_the_explanation_names_every_applied_rule_and_promotion(scenario: Scenario) -> None:
    result = scenario.quote()
    for line in result.lines:
        applied = {(e.source, e.code) for e in line.explanation if e.applied}
        for discount in line.discounts:
            assert (discount.source, discount.code) in applied
        considered = [(e.source, e.code) for e in line.explanation if e.source in ("rule", "price_list")]
        assert len(considered) == len(set(considered))  # each row once per line
    order_applied = {e.code for e in result.explanation if e.applied}
    assert {p.code for p in result.order_promotions} <= order_applied
    assert {e.code for e in result.explanation} <= {p.code for p in scenario.promotions}


@PROPERTY
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_the_result_does_not_depend_on_the_order_rows_are_listed_in(scenario: Scenario, seed: int) -> None:
    assert scenario.quote(shuffle_seed=seed).as_dict() == scenario.quote().as_dict()


@PROPERTY
@given(scenarios())
def test_line_amounts_sum_to_the_total_at_fen(scenario: Scenario) -> None:
    result = scenario.quote()
    assert sum(line.net_amount for line in result.lines) == result.total_net
    assert sum(line.list_amount for line in result.lines) == result.total_list
    assert result.total_list - result.total_discount == result.total_net
    for line in result.lines:
        assert line.net_amount >= 0
        assert line.list_amount - sum(d.amount for d in line.discounts) == line.net_amount
        for amount in (line.net_amount, line.list_amount, *(d.amount for d in line.discounts)):
            assert amount == amount.quantize(D("0.01"))
    for promotion in result.order_promotions:
        assert sum(a for _, a in promotion.allocations) == (promotion.amount if promotion.allocations else 0)
