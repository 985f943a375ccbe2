"""Base price selection, catalog validation and the errors a quote can raise."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from canonical_model.errors import InvalidIdentifier, ValidationError
from dms_core.pricing import (
    Action,
    CatalogDateMismatch,
    InvalidPricingData,
    NoApplicablePrice,
    PriceList,
    PriceListItem,
    PriceRule,
    PricingCatalog,
    PricingContext,
    PricingProduct,
    Promotion,
    PromotionKind,
    QuotedLine,
    QuoteRequest,
    Reason,
    UnknownProduct,
    quote,
)

D = Decimal
DAY = date(2024, 5, 1)
CONTEXT = PricingContext("D1", 2, "440106", DAY)
PRODUCTS = [PricingProduct("A", "L1")]
STD: list[PriceList | PriceListItem] = [
    PriceList("STD"),
    PriceListItem("STD", "A", D("10.00")),
    PriceListItem("STD", "A", D("9.00"), D(100)),
]


def base(*rows: PriceList | PriceListItem, qty: int = 10, explain_all: bool = False) -> QuotedLine:
    lists = [r for r in rows if isinstance(r, PriceList)]
    items = [r for r in rows if isinstance(r, PriceListItem)]
    catalog = PricingCatalog(products=PRODUCTS, price_lists=lists, price_list_items=items)
    return quote(catalog, CONTEXT, QuoteRequest([("A", qty)]), explain_all=explain_all).lines[0]


def list_reasons(line: QuotedLine) -> dict[str, Reason]:
    return {e.code: e.reason for e in line.explanation if e.source == "price_list"}


def item(code: str, price: str, min_qty: int = 0) -> PriceListItem:
    return PriceListItem(code, "A", D(price), D(min_qty))


CASES = [
    # (case id, rows next to STD (priority 100, 10.00), chosen list, price, reason of the extra list)
    (
        "level_list_with_better_priority",
        [PriceList("LV2", dealer_level=2, priority=50), item("LV2", "8.50")],
        "LV2",
        "8.50",
        Reason.APPLIED,
    ),
    (
        "other_level_list",
        [PriceList("LV3", dealer_level=3, priority=50), item("LV3", "8.50")],
        "STD",
        "10.00",
        Reason.LEVEL_MISMATCH,
    ),
    ("region_list", [PriceList("GD", region_prefix="44"), item("GD", "9.50")], "GD", "9.50", Reason.APPLIED),
    (
        "other_region_list",
        [PriceList("SH", region_prefix="31"), item("SH", "9.50")],
        "STD",
        "10.00",
        Reason.REGION_MISMATCH,
    ),
    (
        "list_outside_its_window",
        [PriceList("OLD", valid_until=date(2024, 4, 30)), item("OLD", "1.00")],
        "STD",
        "10.00",
        Reason.NOT_IN_WINDOW,
    ),
    (
        "list_in_other_currency",
        [PriceList("USD", currency="USD", priority=1), item("USD", "1.40")],
        "STD",
        "10.00",
        Reason.CURRENCY_MISMATCH,
    ),
    (
        "list_whose_lowest_tier_is_above_qty",
        [PriceList("BULK", priority=1), item("BULK", "7.00", 50)],
        "STD",
        "10.00",
        Reason.BELOW_MIN_QTY,
    ),
    (
        "higher_priority_number_is_outranked",
        [PriceList("LATE", priority=200), item("LATE", "1.00")],
        "STD",
        "10.00",
        Reason.OUTRANKED,
    ),
    (
        "same_priority_dealer_list_wins",
        [PriceList("MINE", dealer_code="D1"), item("MINE", "9.90")],
        "MINE",
        "9.90",
        Reason.APPLIED,
    ),
]


@pytest.mark.parametrize(
    ("rows", "chosen", "price", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_the_best_ranked_applicable_price_list_sets_the_base_price(
    rows: list[PriceList | PriceListItem], chosen: str, price: str, reason: Reason
) -> None:
    line = base(*STD, *rows)
    assert (line.price_list_code, line.list_price) == (chosen, D(price))
    extra = next(r.code for r in rows if isinstance(r, PriceList))
    assert list_reasons(line)[extra] is reason


def test_longer_region_prefix_beats_shorter_at_the_same_priority() -> None:
    line = base(
        *STD,
        PriceList("GD", region_prefix="44"),
        item("GD", "9.50"),
        PriceList("GZ", region_prefix="4401"),
        item("GZ", "9.40"),
    )
    assert line.price_list_code == "GZ"
    assert list_reasons(line) == {"GZ": Reason.APPLIED, "GD": Reason.OUTRANKED, "STD": Reason.OUTRANKED}


def test_the_highest_tier_at_or_below_the_quantity_prices_the_whole_line() -> None:
    assert base(*STD, qty=99).list_price == D("10.00")
    at_tier = base(*STD, qty=100)
    assert (at_tier.list_price, at_tier.list_amount) == (D("9.00"), D("900.00"))


def test_another_dealers_list_is_only_named_when_explaining_all() -> None:
    rows = [*STD, PriceList("THEIRS", dealer_code="D2", priority=1), item("THEIRS", "1.00")]
    assert "THEIRS" not in list_reasons(base(*rows))
    assert list_reasons(base(*rows, explain_all=True))["THEIRS"] is Reason.OTHER_DEALER


def test_no_applicable_price_list_raises_with_the_reason_per_list() -> None:
    with pytest.raises(NoApplicablePrice) as caught:
        base(PriceList("SH", region_prefix="31"), item("SH", "9.50"))
    assert caught.value.sku == "A"
    assert [(e.code, e.reason) for e in caught.value.explanation] == [("SH", Reason.REGION_MISMATCH)]
    assert "SH: region_mismatch" in str(caught.value)


def test_an_unknown_sku_raises_unknown_product() -> None:
    catalog = PricingCatalog(products=PRODUCTS)
    with pytest.raises(UnknownProduct, match="'Z'"):
        quote(catalog, CONTEXT, QuoteRequest([("Z", 1)]))


def test_a_catalog_loaded_for_one_day_refuses_orders_of_another() -> None:
    catalog = PricingCatalog(
        products=PRODUCTS,
        price_lists=[PriceList("STD")],
        price_list_items=[item("STD", "10.00")],
        valid_on=date(2024, 4, 30),
    )
    with pytest.raises(CatalogDateMismatch, match="2024-04-30"):
        quote(catalog, CONTEXT, QuoteRequest([("A", 1)]))


def test_invalid_catalog_rows_are_all_reported_at_once() -> None:
    with pytest.raises(InvalidPricingData) as caught:
        PricingCatalog(
            products=[*PRODUCTS, PricingProduct("B", None, None, D("-1"))],
            price_lists=[PriceList("STD", region_prefix="4400")],
            price_list_items=[item("NOPE", "1.00")],
            rules=[
                PriceRule("P", Action.PERCENT_OFF, D(120)),
                PriceRule(
                    "W", Action.AMOUNT_OFF, D(1), valid_from=date(2024, 5, 2), valid_until=date(2024, 5, 1)
                ),
                PriceRule("Q", Action.FIXED_PRICE, D(1), min_qty=D(10), max_qty=D(5)),
                PriceRule("Q", Action.FIXED_PRICE, D(1)),
            ],
            promotions=[
                Promotion("T", PromotionKind.THRESHOLD_DISCOUNT, threshold_amount=D(100)),
                Promotion("G", PromotionKind.BUY_X_GET_Y, buy_qty=D(10), free_qty=D(1)),
                Promotion("B", PromotionKind.BUNDLE, bundle_price=D(10)),
            ],
        )
    problems = "\n".join(caught.value.problems)
    for expected in (
        "product B: guide price and floor must not be negative",
        "price list STD: invalid region prefix '4400'",
        "price list item NOPE/A/0: unknown price list",
        "rule P: percent_off value 120 is not within 0..100",
        "rule W: valid_from 2024-05-02 is after valid_until 2024-05-01",
        "rule Q: max_qty 5 is below min_qty 10",
        "rule Q: duplicate code",
        "promotion T: threshold_discount needs positive threshold_amount and discount_amount",
        "promotion G: buy_x_get_y needs free_sku",
        "promotion B: bundle needs distinct components with positive quantities",
    ):
        assert expected in problems
    assert str(caught.value).startswith("10 invalid pricing row(s): ")


def test_the_context_validates_its_region_and_currency() -> None:
    with pytest.raises(InvalidIdentifier):
        PricingContext("D1", 2, "449999", DAY)
    with pytest.raises(ValidationError, match="currency"):
        PricingContext("D1", 2, None, DAY, currency="XXY")


@pytest.mark.parametrize("qty", [0, -1, "abc"])
def test_a_request_needs_positive_quantities(qty: object) -> None:
    with pytest.raises(ValidationError, match="line 1"):
        QuoteRequest([("A", qty)])  # type: ignore[list-item]


def test_an_empty_request_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least one line"):
        QuoteRequest([])
