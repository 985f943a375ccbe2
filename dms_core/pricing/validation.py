"""Row checks run when a catalog is built: each returns the normalised row and its problems.

Normalising means: enum fields become enums, currencies upper-case ISO 4217, region
prefixes their significant form (``"440000"`` → ``"44"``), so ranking by prefix length
and matching with :func:`canonical_model.regions.is_within` see one spelling.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from canonical_model.errors import HubError
from canonical_model.money import validate_currency
from canonical_model.regions import is_within, prefix_of
from dms_core.pricing.model import (
    Action,
    PriceList,
    PriceRule,
    PricingProduct,
    Promotion,
    PromotionKind,
    TierMode,
)

__all__ = [
    "check_price_list",
    "check_product",
    "check_promotion",
    "check_rule",
    "in_window",
    "normalize_prefix",
]

R = TypeVar("R", PriceList, PriceRule, Promotion)


def normalize_prefix(prefix: str) -> str:
    """The significant prefix (``"440000"`` → ``"44"``); ``InvalidIdentifier`` for an unknown one."""
    text = prefix.strip()
    full = text.ljust(6, "0")
    is_within(full, text)  # validates the code and the prefix, raising InvalidIdentifier
    return prefix_of(full)


def _scope(row: R, problems: list[str]) -> R:
    """Normalise the region prefix and check the validity window of any scoped row."""
    if row.valid_from is not None and row.valid_until is not None and row.valid_from > row.valid_until:
        problems.append(f"valid_from {row.valid_from} is after valid_until {row.valid_until}")
    if row.region_prefix is None:
        return row
    try:
        return replace(row, region_prefix=normalize_prefix(row.region_prefix))
    except HubError as exc:
        problems.append(str(exc))
        return row


def _negative(value: Decimal | None) -> bool:
    return value is not None and value < 0


def check_product(product: PricingProduct) -> tuple[PricingProduct, list[str]]:
    """Floor and guide price must not be negative; the currency must be ISO 4217."""
    problems: list[str] = []
    if _negative(product.price_floor) or _negative(product.guide_price):
        problems.append("guide price and floor must not be negative")
    try:
        product = replace(product, currency=validate_currency(product.currency))
    except HubError as exc:
        problems.append(str(exc))
    return product, problems


def check_price_list(price_list: PriceList) -> tuple[PriceList, list[str]]:
    """Currency, region prefix and window."""
    problems: list[str] = []
    price_list = _scope(price_list, problems)
    try:
        price_list = replace(price_list, currency=validate_currency(price_list.currency))
    except HubError as exc:
        problems.append(str(exc))
    return price_list, problems


def check_rule(rule: PriceRule) -> tuple[PriceRule, list[str]]:
    """Action and tier mode known, value in range, quantities ordered, region and window valid."""
    problems: list[str] = []
    rule = _scope(rule, problems)
    try:
        rule = replace(rule, action=Action(rule.action), tier_mode=TierMode(rule.tier_mode))
    except ValueError as exc:
        return rule, [*problems, str(exc)]
    if rule.action is Action.PERCENT_OFF and not Decimal(0) <= rule.value <= Decimal(100):
        problems.append(f"percent_off value {rule.value} is not within 0..100")
    elif rule.value < 0:
        problems.append(f"{rule.action.value} value {rule.value} is negative")
    if _negative(rule.min_qty) or _negative(rule.max_qty) or _negative(rule.min_amount):
        problems.append("min_qty, max_qty and min_amount must not be negative")
    if rule.min_qty is not None and rule.max_qty is not None and rule.max_qty < rule.min_qty:
        problems.append(f"max_qty {rule.max_qty} is below min_qty {rule.min_qty}")
    return rule, problems


def _positive(value: Decimal | None) -> bool:
    return value is not None and value > 0


def check_promotion(promotion: Promotion) -> tuple[Promotion, list[str]]:
    """The fields the promotion's kind needs are present and positive."""
    problems: list[str] = []
    promotion = _scope(promotion, problems)
    try:
        promotion = replace(promotion, kind=PromotionKind(promotion.kind))
    except ValueError as exc:
        return promotion, [*problems, str(exc)]
    if promotion.kind is PromotionKind.THRESHOLD_DISCOUNT:
        if not (_positive(promotion.threshold_amount) and _positive(promotion.discount_amount)):
            problems.append("threshold_discount needs positive threshold_amount and discount_amount")
    elif promotion.kind is PromotionKind.BUY_X_GET_Y:
        if not (_positive(promotion.buy_qty) and _positive(promotion.free_qty)):
            problems.append("buy_x_get_y needs positive buy_qty and free_qty")
        if promotion.free_sku is None and promotion.sku is None:
            problems.append("buy_x_get_y needs free_sku (or a sku scope to give away)")
    else:
        skus = [c.sku for c in promotion.bundle]
        if not skus or any(not _positive(c.qty) for c in promotion.bundle) or len(set(skus)) != len(skus):
            problems.append("bundle needs distinct components with positive quantities")
        if promotion.bundle_price is None or promotion.bundle_price < 0:
            problems.append("bundle needs a bundle_price of zero or more")
    return promotion, problems


def in_window(valid_from: date | None, valid_until: date | None, day: date) -> bool:
    """Inclusive at both ends; ``None`` is open."""
    return (valid_from is None or valid_from <= day) and (valid_until is None or day <= valid_until)
