"""The pricing and promotion steps: the pricing engine's quote, its errors as reason codes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from dms_core.ordering.errors import ReasonCode
from dms_core.ordering.facts import Dealer
from dms_core.ordering.model import CheckResult
from dms_core.ordering.validation import ResolvedLine, passed
from dms_core.pricing import (
    NoApplicablePrice,
    PricingCatalog,
    PricingContext,
    PricingError,
    Quote,
    QuoteRequest,
    quote,
)

__all__ = ["check_promotions", "price_order"]


def price_order(
    catalog_for: Callable[[date], PricingCatalog],
    dealer: Dealer,
    region_code: str | None,
    lines: Sequence[ResolvedLine],
    on: date,
) -> tuple[Quote | None, list[CheckResult]]:
    """Quote ``lines`` for the dealer; a pricing error becomes ``no_applicable_price`` or ``pricing_failed``.

    ``catalog_for(day)`` returns the (cached) catalog; its load errors are reported too.
    """
    try:
        context = PricingContext(dealer.code, dealer.level, region_code, on, currency=dealer.currency)
        result = quote(catalog_for(on), context, QuoteRequest([(line.sku, line.qty_base) for line in lines]))
    except NoApplicablePrice as exc:
        line_no = next((line.line_no for line in lines if line.sku == exc.sku), None)
        where = f"line {line_no}: " if line_no is not None else ""
        return None, [
            CheckResult("pricing", False, ReasonCode.NO_APPLICABLE_PRICE, where + str(exc), line_no)
        ]
    except PricingError as exc:
        return None, [CheckResult("pricing", False, ReasonCode.PRICING_FAILED, str(exc))]
    total = f"{result.total_net} {result.currency}"
    return result, passed("pricing", f"priced at {total} net ({result.total_discount} discount)")


def check_promotions(priced: Quote) -> list[CheckResult]:
    """Which promotions the order is eligible for (informational: never a failure)."""
    if not priced.order_promotions:
        return passed("promotions", "no promotion applies")
    return [
        CheckResult("promotions", True, ReasonCode.PROMOTION_APPLIED, f"{p.code}: {p.detail}")
        for p in priced.order_promotions
    ]
