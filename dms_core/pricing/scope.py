"""Does a price list, rule or promotion reach this dealer on this day? One check for all three.

Checks run in a fixed order, so the reason given is always the first failing one:
inactive → not_in_window → other_dealer → level_mismatch → region_mismatch.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Protocol

from canonical_model.regions import is_within
from dms_core.pricing.explain import Entry, Reason, Source
from dms_core.pricing.model import PriceList, PriceRule, PricingContext, PricingProduct, Promotion
from dms_core.pricing.validation import in_window

__all__ = ["Miss", "PartyChecks", "Scoped", "party_miss", "product_miss"]

Miss = tuple[Reason, str]
"""Why not: the reason code and a one-line detail."""

# Region codes and prefixes were validated when the context and the catalog were built;
# caching keeps is_within's re-validation off the per-line path.
_within = functools.lru_cache(maxsize=16384)(is_within)


class Scoped(Protocol):
    """The party scope every price list, rule and promotion has."""

    @property
    def dealer_level(self) -> int | None: ...
    @property
    def region_prefix(self) -> str | None: ...
    @property
    def dealer_code(self) -> str | None: ...
    @property
    def valid_from(self) -> date | None: ...
    @property
    def valid_until(self) -> date | None: ...


def _window(row: Scoped) -> str:
    start = row.valid_from.isoformat() if row.valid_from else "…"
    end = row.valid_until.isoformat() if row.valid_until else "…"
    return f"{start}..{end}"


def party_miss(row: Scoped, context: PricingContext, *, active: bool = True) -> Miss | None:
    """``None`` when the row reaches this dealer on the order date, else the first reason it does not."""
    if not active:
        return Reason.INACTIVE, "switched off (active = false)"
    if not in_window(row.valid_from, row.valid_until, context.order_date):
        return Reason.NOT_IN_WINDOW, f"valid {_window(row)}, order dated {context.order_date.isoformat()}"
    if row.dealer_code is not None and row.dealer_code != context.dealer_code:
        return Reason.OTHER_DEALER, f"for dealer {row.dealer_code}, not {context.dealer_code}"
    if row.dealer_level is not None and row.dealer_level != context.dealer_level:
        return (
            Reason.LEVEL_MISMATCH,
            f"for dealer level {row.dealer_level}, dealer is level {context.dealer_level}",
        )
    if row.region_prefix is not None and (
        context.region_code is None or not _within(context.region_code, row.region_prefix)
    ):
        return Reason.REGION_MISMATCH, f"for region {row.region_prefix}, ship-to region {context.region_code}"
    return None


def product_miss(sku: str | None, product_line_code: str | None, product: PricingProduct) -> Miss | None:
    """``None`` when a SKU / product-line scope covers ``product``."""
    if sku is not None and sku != product.sku:
        return Reason.PRODUCT_MISMATCH, f"for SKU {sku}"
    if product_line_code is not None and product_line_code != product.product_line_code:
        return Reason.PRODUCT_MISMATCH, f"for product line {product_line_code}"
    return None


class PartyChecks:
    """Party checks for one context, each row checked once and its miss entry shared.

    Whether a row reaches the dealer depends only on the context and the row, so the
    catalog keeps one ``PartyChecks`` per recent context and reuses it across quotes
    (:meth:`PricingCatalog.checks_for`). Dicts map a row's code to its miss entry
    (``None``: it reaches the dealer).
    """

    __slots__ = ("context", "lists", "promotions", "rules")

    def __init__(self, context: PricingContext) -> None:
        self.context = context
        self.lists: dict[str, Entry | None] = {}
        self.rules: dict[str, Entry | None] = {}
        self.promotions: dict[str, Entry | None] = {}

    def _check(
        self, source: Source, code: str, row: Scoped, active: bool, currency: str | None = None
    ) -> Entry | None:
        miss = party_miss(row, self.context, active=active)
        if miss is None and currency is not None and currency != self.context.currency:
            miss = Reason.CURRENCY_MISMATCH, f"in {currency}, order in {self.context.currency}"
        return None if miss is None else Entry(source, code, False, miss[0], miss[1])

    def price_list(self, row: PriceList) -> Entry | None:
        """Miss entry of a price list (dealer, window, currency), cached."""
        if row.code not in self.lists:
            self.lists[row.code] = self._check("price_list", row.code, row, True, row.currency)
        return self.lists[row.code]

    def rule(self, row: PriceRule) -> Entry | None:
        """Miss entry of a price rule (active, window, dealer, level, region), cached."""
        if row.code not in self.rules:
            self.rules[row.code] = self._check("rule", row.code, row, row.active)
        return self.rules[row.code]

    def promotion(self, row: Promotion) -> Entry | None:
        """Miss entry of a promotion (active, window, dealer, level, region), cached."""
        if row.code not in self.promotions:
            self.promotions[row.code] = self._check("promotion", row.code, row, row.active)
        return self.promotions[row.code]
