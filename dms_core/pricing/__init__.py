"""The DMS Hub pricing engine: deterministic, explained prices for dealer orders.

Usage::

    catalog = load_catalog(conn, on=order_date)        # once; reuse for many orders
    context = PricingContext("D001", 2, "440106", order_date)
    result = quote(catalog, context, QuoteRequest([("SKU-1", 24), ("SKU-2", 6)]))
    result.total_net, result.lines[0].explanation, result.as_dict()

Modules: ``model`` (inputs), ``explain`` (outputs and reason codes), ``catalog``
(validation, ranking, indexes), ``rules`` (base price and rule stacking), ``promotions``
(满减, 买A送B, bundles), ``amounts`` (rounding and exact splits), ``engine`` (``quote``),
``repository`` (``load_catalog``).
"""

from __future__ import annotations

from dms_core.pricing.catalog import PricingCatalog
from dms_core.pricing.engine import quote
from dms_core.pricing.errors import (
    CatalogDateMismatch,
    InvalidPricingData,
    NoApplicablePrice,
    PricingError,
    UnknownProduct,
)
from dms_core.pricing.explain import Discount, Entry, PromotionOutcome, Quote, QuotedLine, Reason
from dms_core.pricing.model import (
    Action,
    BundleComponent,
    PriceList,
    PriceListItem,
    PriceRule,
    PricingContext,
    PricingProduct,
    Promotion,
    PromotionKind,
    QuoteRequest,
    TierMode,
)
from dms_core.pricing.repository import load_catalog

__all__ = [
    "Action",
    "BundleComponent",
    "CatalogDateMismatch",
    "Discount",
    "Entry",
    "InvalidPricingData",
    "NoApplicablePrice",
    "PriceList",
    "PriceListItem",
    "PriceRule",
    "PricingCatalog",
    "PricingContext",
    "PricingError",
    "PricingProduct",
    "Promotion",
    "PromotionKind",
    "PromotionOutcome",
    "Quote",
    "QuoteRequest",
    "QuotedLine",
    "Reason",
    "TierMode",
    "UnknownProduct",
    "load_catalog",
    "quote",
]
