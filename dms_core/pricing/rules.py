"""Line pricing: the base price from the best price list, then the price rules in rank order.

Base price: price lists with an item for the SKU, in rank order (see ``catalog``); the
first one that reaches the dealer and has a tier with ``min_qty <= qty`` wins, at its
highest such tier. The others are explained (``outranked``, ``below_min_qty``, ...).

Rules stack on a *running unit price*, in rank order:

- ``percent_off`` multiplies it by ``1 - value/100``;
- ``amount_off`` subtracts ``value``;
- ``fixed_price`` replaces it with ``value`` (earlier rules then only show in the trail);
- a price never goes below zero.

``threshold`` rules act on every unit of the line and need ``min_qty <= qty <= max_qty``.
``incremental`` rules act only on the units numbered above ``min_qty`` (up to
``max_qty``), so a line can carry several prices: the engine keeps the line as segments
of units, each with its running price. An ``exclusive`` rule that applies stops every
rule ranked after it; rules ranked before it stay applied.

Price floor: a rule without ``allow_below_floor`` cannot take a unit below
``min(price before the rule, floor)``; when it would, the unit stops there and the
rule's entry says ``floor_clamped``. A list price below the floor is raised to it (a
``floor`` entry with a negative amount). Unit prices stay exact; the line amount is
rounded half-up to fen after each step, and each step's amount is the difference of
consecutive rounded amounts, so the steps add up to ``list_amount - amount`` exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from dms_core.pricing.amounts import round_fen
from dms_core.pricing.catalog import PricingCatalog
from dms_core.pricing.explain import Discount, Entry, Reason
from dms_core.pricing.model import Action, PriceList, PriceRule, PricingContext, PricingProduct, TierMode
from dms_core.pricing.scope import Miss, PartyChecks, product_miss

__all__ = ["BasePrice", "PricedLine", "apply_rules", "choose_base_price", "comparable_floor"]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
# Enum members bound once: attribute access on an Enum class is slow on the per-line path.
_PERCENT_OFF, _AMOUNT_OFF = Action.PERCENT_OFF, Action.AMOUNT_OFF
_INCREMENTAL = TierMode.INCREMENTAL
_APPLIED, _CLAMPED, _STOPPED = Reason.APPLIED, Reason.FLOOR_CLAMPED, Reason.LOWER_PRIORITY_EXCLUSIVE


@dataclass(frozen=True, slots=True)
class BasePrice:
    """The winning price list item."""

    price_list_code: str
    unit_price: Decimal
    min_qty: Decimal


@dataclass(slots=True)
class PricedLine:
    """A line after price rules: its amount at fen and the trail that produced it."""

    amount: Decimal
    entries: list[Entry] = field(default_factory=list)
    discounts: list[Discount] = field(default_factory=list)


def choose_base_price(
    catalog: PricingCatalog, lists: Iterable[PriceList], checks: PartyChecks, sku: str, qty: Decimal
) -> tuple[BasePrice | None, list[Entry]]:
    """The first ranked list that reaches the dealer and has a tier ``<= qty``.

    ``checks`` caches each list's dealer/date/currency check for the rest of the quote.
    """
    chosen: BasePrice | None = None
    entries: list[Entry] = []
    for price_list in lists:
        code = price_list.code
        missed = checks.price_list(price_list)
        if missed is not None:
            entries.append(missed)
            continue
        tiers = catalog.tiers(code, sku)
        tier = None
        for candidate in tiers:  # highest min_qty first
            if candidate[0] <= qty:
                tier = candidate
                break
        if tier is None:
            detail = f"lowest tier starts at qty {tiers[-1][0]}, line qty {qty}"
            entries.append(Entry("price_list", code, False, Reason.BELOW_MIN_QTY, detail))
        elif chosen is not None:
            detail = f"would price {tier[1]}; {chosen.price_list_code} ranks higher"
            entries.append(Entry("price_list", code, False, Reason.OUTRANKED, detail))
        else:
            chosen = BasePrice(code, tier[1], tier[0])
            detail = f"unit price {tier[1]} (tier from qty {tier[0]})"
            entries.append(Entry("price_list", code, True, Reason.APPLIED, detail))
    return chosen, entries


def comparable_floor(product: PricingProduct, context: PricingContext) -> Decimal | None:
    """The product's floor if it is in the order currency (a floor in another currency cannot bind)."""
    return product.price_floor if product.currency == context.currency else None


def _line_miss(rule: PriceRule, product: PricingProduct, qty: Decimal, list_amount: Decimal) -> Miss | None:
    """Product, quantity and amount conditions (the party ones are checked once per quote)."""
    if rule.sku is not None or rule.product_line_code is not None:
        miss = product_miss(rule.sku, rule.product_line_code, product)
        if miss is not None:
            return miss
    low = rule.min_qty or _ZERO
    if rule.tier_mode is _INCREMENTAL:
        if qty <= low:
            return Reason.BELOW_MIN_QTY, f"applies to units above {low}, line qty {qty}"
    elif qty < low:
        return Reason.BELOW_MIN_QTY, f"needs qty >= {low}, line qty {qty}"
    elif rule.max_qty is not None and qty > rule.max_qty:
        return Reason.ABOVE_MAX_QTY, f"needs qty <= {rule.max_qty}, line qty {qty}"
    if rule.min_amount is not None and list_amount < rule.min_amount:
        return Reason.BELOW_MIN_AMOUNT, f"needs list amount >= {rule.min_amount}, line has {list_amount}"
    return None


def _new_price(rule: PriceRule, price: Decimal) -> Decimal:
    if rule.action is _PERCENT_OFF:
        price = price * (_HUNDRED - rule.value) / _HUNDRED
    elif rule.action is _AMOUNT_OFF:
        price = price - rule.value
    else:
        price = rule.value
    return max(price, _ZERO)


def _split(segments: list[list[Decimal]], at: Decimal) -> None:
    """Make ``at`` a segment boundary."""
    for i, (start, end, price) in enumerate(segments):
        if start < at < end:
            segments[i] = [start, at, price]
            segments.insert(i + 1, [at, end, price])
            return


def _apply(rule: PriceRule, segments: list[list[Decimal]], qty: Decimal, floor: Decimal | None) -> bool:
    """Re-price the units the rule covers; ``True`` if the floor stopped any of them."""
    low, high = _ZERO, qty
    if rule.tier_mode is _INCREMENTAL:
        low = rule.min_qty or _ZERO
        high = min(qty, rule.max_qty) if rule.max_qty is not None else qty
        _split(segments, low)
        _split(segments, high)
    clamped = False
    for segment in segments:
        if segment[0] >= low and segment[1] <= high:
            before = segment[2]
            price = _new_price(rule, before)
            if floor is not None and not rule.allow_below_floor and price < min(before, floor):
                price, clamped = min(before, floor), True
            segment[2] = price
    return clamped


def _amount(segments: list[list[Decimal]]) -> Decimal:
    if len(segments) == 1:
        start, end, price = segments[0]
        return round_fen((end - start) * price)
    return round_fen(sum(((end - start) * price for start, end, price in segments), _ZERO))


def _describe(rule: PriceRule) -> str:
    what = f"{rule.value}%" if rule.action is _PERCENT_OFF else str(rule.value)
    units = ""
    if rule.tier_mode is _INCREMENTAL:
        units = f" on units above {rule.min_qty or 0}" + (f" up to {rule.max_qty}" if rule.max_qty else "")
    return f"{rule.action} {what}{units}"


def apply_rules(
    rules: Iterable[PriceRule],
    product: PricingProduct,
    checks: PartyChecks,
    qty: Decimal,
    base_price: Decimal,
    list_amount: Decimal,
) -> PricedLine:
    """Run the ranked rules over one line (see the module docstring for the semantics)."""
    floor = comparable_floor(product, checks.context)
    segments = [[_ZERO, qty, base_price]]
    line = PricedLine(list_amount)
    if floor is not None and base_price < floor:
        segments[0][2] = floor
        raised = _amount(segments)
        amount = line.amount - raised
        detail = f"list price {base_price} is below the floor {floor}: raised to the floor"
        line.entries.append(Entry("floor", "price_floor", True, _CLAMPED, detail, amount))
        line.discounts.append(Discount("floor", "price_floor", "price_floor", amount))
        line.amount = raised
    stopped_by: str | None = None
    known, entries, amount = checks.rules, line.entries, line.amount
    for rule in rules:
        code = rule.code
        missed = known[code] if code in known else checks.rule(rule)
        if missed is not None:
            entries.append(missed)
            continue
        miss = _line_miss(rule, product, qty, list_amount)
        if miss is None and stopped_by is not None:
            miss = _STOPPED, f"{stopped_by} is exclusive and ranks higher"
        if miss is not None:
            entries.append(Entry("rule", code, False, miss[0], miss[1]))
            continue
        clamped = _apply(rule, segments, qty, floor)
        after = _amount(segments)
        detail = f"{_describe(rule)}: line amount {amount} -> {after}"
        if clamped:
            detail += f" (stopped at the price floor {floor})"
        entries.append(Entry("rule", code, True, _CLAMPED if clamped else _APPLIED, detail, amount - after))
        line.discounts.append(Discount("rule", code, rule.action, amount - after))
        amount = after
        if rule.exclusive:
            stopped_by = code
    line.amount = amount
    return line
