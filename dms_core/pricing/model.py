"""The pricing engine's inputs: catalog rows, the dealer context and the request.

Plain frozen dataclasses, one per canonical table row (``products``, ``price_lists``,
``price_list_items``, ``price_rules``, ``promotions``). Scope fields are ``None`` for
"any". Amounts and quantities are ``Decimal``; prices are per base unit. Row-level checks
(a percent above 100, an unknown region prefix, ...) run when a
:class:`~dms_core.pricing.catalog.PricingCatalog` is built, so every problem is listed at
once instead of failing on the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from canonical_model.errors import ValidationError
from canonical_model.money import to_decimal, validate_currency
from canonical_model.regions import validate_region_code

__all__ = [
    "Action",
    "BundleComponent",
    "PriceList",
    "PriceListItem",
    "PriceRule",
    "PricingContext",
    "PricingProduct",
    "Promotion",
    "PromotionKind",
    "QuoteRequest",
    "TierMode",
]


class Action(StrEnum):
    """What a price rule does to the running unit price (see ``rules.py`` for stacking)."""

    FIXED_PRICE = "fixed_price"
    PERCENT_OFF = "percent_off"
    AMOUNT_OFF = "amount_off"


class TierMode(StrEnum):
    """``threshold``: the whole quantity gets the rule; ``incremental``: only units above ``min_qty``."""

    THRESHOLD = "threshold"
    INCREMENTAL = "incremental"


class PromotionKind(StrEnum):
    """满减, 买A送B and bundles."""

    THRESHOLD_DISCOUNT = "threshold_discount"
    BUY_X_GET_Y = "buy_x_get_y"
    BUNDLE = "bundle"


@dataclass(frozen=True, slots=True)
class PricingProduct:
    """What pricing needs of a product: its line (for line-scoped rules), guide price and floor."""

    sku: str
    product_line_code: str | None = None
    guide_price: Decimal | None = None
    price_floor: Decimal | None = None
    currency: str = "CNY"


@dataclass(frozen=True, slots=True)
class PriceList:
    """A price list header; its scope decides which dealers it prices for."""

    code: str
    currency: str = "CNY"
    dealer_level: int | None = None
    region_prefix: str | None = None
    dealer_code: str | None = None
    priority: int = 100
    valid_from: date | None = None
    valid_until: date | None = None
    name: str = ""


@dataclass(frozen=True, slots=True)
class PriceListItem:
    """One quantity tier of one SKU on one price list: ``unit_price`` from ``min_qty`` base units up."""

    price_list_code: str
    sku: str
    unit_price: Decimal
    min_qty: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class PriceRule:
    """A price adjustment scoped by dealer level, region, dealer, product line or SKU.

    ``value`` is a price per base unit for ``fixed_price`` and ``amount_off`` and a number
    of percent (``10`` = 10 % off) for ``percent_off``. ``min_qty``/``max_qty`` bound the
    line quantity; ``min_amount`` bounds the line's list amount (base price × qty).
    """

    code: str
    action: Action
    value: Decimal
    dealer_level: int | None = None
    region_prefix: str | None = None
    dealer_code: str | None = None
    product_line_code: str | None = None
    sku: str | None = None
    min_qty: Decimal | None = None
    max_qty: Decimal | None = None
    min_amount: Decimal | None = None
    tier_mode: TierMode = TierMode.THRESHOLD
    priority: int = 100
    exclusive: bool = False
    allow_below_floor: bool = False
    valid_from: date | None = None
    valid_until: date | None = None
    active: bool = True
    name: str = ""


@dataclass(frozen=True, slots=True)
class BundleComponent:
    """One SKU of a bundle and how many base units of it one complete set needs."""

    sku: str
    qty: Decimal


@dataclass(frozen=True, slots=True)
class Promotion:
    """A promotion; which fields matter depends on ``kind``.

    - ``threshold_discount`` (满减): when the eligible lines' amount reaches
      ``threshold_amount``, ``discount_amount`` comes off, once per order, or once per
      full multiple of the threshold when ``repeat`` is true (每满减).
    - ``buy_x_get_y`` (买A送B): ``free_qty`` units of ``free_sku`` (default: the scoped
      ``sku``) per full ``buy_qty`` of the scoped products, floored to whole units.
    - ``bundle``: every complete set of ``bundle`` components costs ``bundle_price``.

    ``sku`` / ``product_line_code`` narrow which lines count; ``stackable=False`` keeps
    every other promotion off the lines this one uses. ``repeat`` and
    ``allow_below_floor`` have no column in ``promotions`` yet: the repository reads them
    when the columns exist and defaults both to false.
    """

    code: str
    kind: PromotionKind
    dealer_level: int | None = None
    region_prefix: str | None = None
    dealer_code: str | None = None
    product_line_code: str | None = None
    sku: str | None = None
    threshold_amount: Decimal | None = None
    discount_amount: Decimal | None = None
    repeat: bool = False
    buy_qty: Decimal | None = None
    free_sku: str | None = None
    free_qty: Decimal | None = None
    bundle: tuple[BundleComponent, ...] = ()
    bundle_price: Decimal | None = None
    priority: int = 100
    stackable: bool = True
    allow_below_floor: bool = False
    valid_from: date | None = None
    valid_until: date | None = None
    active: bool = True
    name: str = ""


@dataclass(frozen=True, slots=True)
class PricingContext:
    """Who is buying, where and when: the facts every scope is matched against.

    ``region_code`` is the six-digit GB/T 2260 code of the ship-to (validated here);
    ``None`` means no region-scoped rule can apply.
    """

    dealer_code: str
    dealer_level: int | None
    region_code: str | None
    order_date: date
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if self.region_code is not None:
            object.__setattr__(self, "region_code", validate_region_code(self.region_code))
        object.__setattr__(self, "currency", validate_currency(self.currency))


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    """The lines to price: ``(sku, qty_base)`` pairs, quantities in the product's base unit."""

    lines: tuple[tuple[str, Decimal], ...]

    def __init__(self, lines: Iterable[tuple[str, Decimal | int | str]]) -> None:
        normalized: list[tuple[str, Decimal]] = []
        for number, (sku, qty) in enumerate(lines, start=1):
            value = to_decimal(qty, what=f"line {number} quantity")
            if value <= 0:
                raise ValidationError(f"line {number} ({sku}): quantity must be positive, got {value}")
            normalized.append((str(sku), value))
        if not normalized:
            raise ValidationError("a quote request needs at least one line")
        object.__setattr__(self, "lines", tuple(normalized))
