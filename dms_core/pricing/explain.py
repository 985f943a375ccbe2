"""The engine's outputs: quoted lines, the discounts on them and the explanation of each.

Every price list, rule and promotion the engine looked at for a line leaves one
:class:`Entry`: whether it applied and, if not, a typed :class:`Reason`. ``Quote.as_dict``
turns the whole quote into JSON-ready data (Decimals as strings) for
``orders.pricing_explanation`` and the HTTP API.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, NamedTuple

__all__ = ["Discount", "Entry", "PromotionOutcome", "Quote", "QuotedLine", "Reason", "Source"]

Source = Literal["price_list", "rule", "promotion", "floor"]


class Reason(StrEnum):
    """Why a price list, rule or promotion did (``applied``) or did not apply."""

    APPLIED = "applied"
    FLOOR_CLAMPED = "floor_clamped"  # applied, but the price floor limited its effect
    INACTIVE = "inactive"
    NOT_IN_WINDOW = "not_in_window"
    OTHER_DEALER = "other_dealer"
    LEVEL_MISMATCH = "level_mismatch"
    REGION_MISMATCH = "region_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    PRODUCT_MISMATCH = "product_mismatch"
    NO_ITEM_FOR_SKU = "no_item_for_sku"
    BELOW_MIN_QTY = "below_min_qty"
    ABOVE_MAX_QTY = "above_max_qty"
    BELOW_MIN_AMOUNT = "below_min_amount"
    OUTRANKED = "outranked"  # a price list ranked higher already priced the line
    LOWER_PRIORITY_EXCLUSIVE = "lower_priority_exclusive"
    NOT_STACKABLE = "not_stackable"  # a non-stackable promotion meets a line that already has one
    EXCLUDED_BY_NON_STACKABLE = "excluded_by_non_stackable"
    NO_ELIGIBLE_LINES = "no_eligible_lines"
    BELOW_THRESHOLD = "below_threshold"
    BELOW_BUY_QTY = "below_buy_qty"
    BUNDLE_INCOMPLETE = "bundle_incomplete"
    NO_BENEFIT = "no_benefit"  # the bundle price is not below what the set already costs
    UNKNOWN_FREE_SKU = "unknown_free_sku"


# Entry and Discount are NamedTuples: a quote creates many, and tuples are the cheapest
# immutable records to build.
class Entry(NamedTuple):
    """One thing the engine considered: a price list, rule, promotion or the price floor.

    ``amount`` is what it took off the line (or order) amount in currency units, negative
    for a surcharge (a ``fixed_price`` above the running price, or the floor raising a list
    price); ``None`` when it did not apply.
    """

    source: Source
    code: str
    applied: bool
    reason: Reason
    detail: str
    amount: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "source": self.source,
            "code": self.code,
            "applied": self.applied,
            "reason": self.reason.value,
            "detail": self.detail,
            "amount": None if self.amount is None else str(self.amount),
        }


class Discount(NamedTuple):
    """An amount taken off one line by a rule, the floor (negative) or a promotion, at fen."""

    source: Source
    code: str
    kind: str
    amount: Decimal

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"source": self.source, "code": self.code, "kind": self.kind, "amount": str(self.amount)}


@dataclass(frozen=True, slots=True)
class QuotedLine:
    """One priced line. ``list_amount - sum(discounts) == net_amount``, all at fen.

    ``net_unit_price`` is ``net_amount / qty`` to 4 decimals (the amount is authoritative).
    Free goods (买A送B) are separate lines with ``is_free_goods`` and ``net_amount == 0``.
    """

    line_no: int
    sku: str
    qty: Decimal
    list_price: Decimal
    list_amount: Decimal
    price_list_code: str | None
    discounts: tuple[Discount, ...]
    net_unit_price: Decimal
    net_amount: Decimal
    is_free_goods: bool
    explanation: tuple[Entry, ...]
    guide_price: Decimal | None = None

    @property
    def rule_discount(self) -> Decimal:
        """What rules and the floor took off (``order_lines.discount_amount``)."""
        return sum((d.amount for d in self.discounts if d.source != "promotion"), Decimal("0.00"))

    @property
    def promotion_discount(self) -> Decimal:
        """What promotions took off (``order_lines.promotion_amount``)."""
        return sum((d.amount for d in self.discounts if d.source == "promotion"), Decimal("0.00"))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "line_no": self.line_no,
            "sku": self.sku,
            "qty": str(self.qty),
            "list_price": str(self.list_price),
            "list_amount": str(self.list_amount),
            "price_list": self.price_list_code,
            "discounts": [d.as_dict() for d in self.discounts],
            "net_unit_price": str(self.net_unit_price),
            "net_amount": str(self.net_amount),
            "is_free_goods": self.is_free_goods,
            "guide_price": None if self.guide_price is None else str(self.guide_price),
            "explanation": [e.as_dict() for e in self.explanation],
        }


@dataclass(frozen=True, slots=True)
class PromotionOutcome:
    """A promotion that applied: what it gave and where.

    ``amount`` is the money taken off (for 买A送B: the list value of the free goods);
    ``allocations`` is ``(line_no, amount)`` per line it reduced; ``free_lines`` the
    line numbers of the free-goods lines it added.
    """

    code: str
    kind: str
    amount: Decimal
    allocations: tuple[tuple[int, Decimal], ...]
    free_lines: tuple[int, ...]
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "kind": self.kind,
            "amount": str(self.amount),
            "allocations": [{"line_no": n, "amount": str(a)} for n, a in self.allocations],
            "free_lines": list(self.free_lines),
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Quote:
    """A priced order: ``total_net == sum(line.net_amount)`` and ``total_list - total_discount == total_net``.

    ``order_promotions`` lists the promotions that applied; ``explanation`` has one entry
    per promotion considered, applied or with the reason it did not.
    """

    currency: str
    lines: tuple[QuotedLine, ...]
    order_promotions: tuple[PromotionOutcome, ...]
    total_list: Decimal
    total_discount: Decimal
    total_net: Decimal
    explanation: tuple[Entry, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, e.g. for ``orders.pricing_explanation``."""
        return {
            "currency": self.currency,
            "total_list": str(self.total_list),
            "total_discount": str(self.total_discount),
            "total_net": str(self.total_net),
            "lines": [line.as_dict() for line in self.lines],
            "order_promotions": [p.as_dict() for p in self.order_promotions],
            "explanation": [e.as_dict() for e in self.explanation],
        }
