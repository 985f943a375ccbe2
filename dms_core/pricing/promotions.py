"""Order-level promotions: 满减, 买A送B and bundles, run after the line rules, in rank order.

Rank (see ``catalog``): priority, then kind (bundles, then gifts, then 满减, so a 满减
threshold is measured on what the dealer pays after bundles), then specificity, code.

- A promotion uses the lines its ``sku`` / ``product_line_code`` scope covers (all when
  unscoped; for bundles, the lines of its component SKUs).
- Stacking: a line used by a ``stackable=False`` promotion is closed to every promotion
  ranked after it (``excluded_by_non_stackable``); a non-stackable promotion skips lines
  an earlier promotion already used (``not_stackable``).
- 满减: eligible amount = the current amounts of its lines; at ``>= threshold_amount``
  it takes ``discount_amount`` off once (``repeat``: once per full multiple), never more
  than the eligible amount, split over the lines in proportion to their amounts.
- 买A送B: ``floor(bought / buy_qty) × free_qty`` units, floored again to whole units,
  of ``free_sku`` as a separate free line (net 0), valued at its price list price.
- Bundle: complete sets = the smallest ``floor(available / per-set qty)`` over the
  components; the consumed units' current value minus ``sets × bundle_price`` is the
  discount, split over the consumed lines in proportion to their consumed value; a
  bundle that would not lower the price is skipped (``no_benefit``).
- Splits are in fen and sum exactly (``amounts.allocate``); no line goes below its floor
  amount (floor × qty): a share that would is cut, the rest goes to the other lines,
  and what cannot be placed is not given (``floor_clamped``), unless the promotion has
  ``allow_below_floor`` (then only zero bounds a line). Free goods are gifts, not
  sales, so the floor does not apply to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from dms_core.pricing.amounts import ZERO, allocate, floor_units, round_fen
from dms_core.pricing.explain import Discount, Entry, PromotionOutcome, Reason
from dms_core.pricing.model import PricingProduct, Promotion, PromotionKind
from dms_core.pricing.scope import PartyChecks, product_miss

__all__ = ["FreeGoods", "LineState", "PromotionResult", "Valuer", "apply_promotions"]

_NONE = Decimal(0)  # start of quantity sums (ZERO carries the fen exponent)

Valuer = Callable[[str, Decimal], tuple[Decimal, str | None, str]]
"""``(sku, qty) -> (unit price, price list code, how it was valued)`` for free goods."""


@dataclass(slots=True)
class LineState:
    """A requested line while promotions run; ``amount`` is its current net amount at fen."""

    line_no: int
    product: PricingProduct
    qty: Decimal
    list_price: Decimal
    list_amount: Decimal
    price_list_code: str
    amount: Decimal
    floor_amount: Decimal
    entries: list[Entry]
    discounts: list[Discount]
    promoted_by: list[str] = field(default_factory=list)
    locked_by: str | None = None

    def headroom(self) -> Decimal:
        """How much more can come off before the line falls below its floor amount."""
        return max(self.amount - self.floor_amount, ZERO)


@dataclass(frozen=True, slots=True)
class FreeGoods:
    """A free-goods line a 买A送B promotion adds."""

    line_no: int
    sku: str
    qty: Decimal
    list_price: Decimal
    list_amount: Decimal
    price_list_code: str | None
    promotion: Promotion
    entry: Entry


@dataclass(slots=True)
class PromotionResult:
    """What the promotions did: outcomes of those applied, an entry per promotion, free lines."""

    outcomes: list[PromotionOutcome] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    free_goods: list[FreeGoods] = field(default_factory=list)

    def skip(self, promotion: Promotion, reason: Reason, detail: str) -> None:
        self.entries.append(Entry("promotion", promotion.code, False, reason, detail))


def _eligible(promotion: Promotion, lines: Iterable[LineState]) -> list[LineState]:
    """Lines in the promotion's scope and open to it; explain the stacking exclusions on the line."""
    components = {c.sku for c in promotion.bundle}
    eligible: list[LineState] = []
    for line in lines:
        if product_miss(promotion.sku, promotion.product_line_code, line.product) is not None:
            continue
        if components and line.product.sku not in components:
            continue
        if line.locked_by is not None:
            detail = f"line already used by non-stackable {line.locked_by}"
            line.entries.append(
                Entry("promotion", promotion.code, False, Reason.EXCLUDED_BY_NON_STACKABLE, detail)
            )
        elif not promotion.stackable and line.promoted_by:
            detail = f"not stackable; line already used by {', '.join(line.promoted_by)}"
            line.entries.append(Entry("promotion", promotion.code, False, Reason.NOT_STACKABLE, detail))
        else:
            eligible.append(line)
    return eligible


def _claim(promotion: Promotion, line: LineState) -> None:
    line.promoted_by.append(promotion.code)
    if not promotion.stackable:
        line.locked_by = promotion.code


def _grant(
    promotion: Promotion,
    lines: list[LineState],
    weights: list[Decimal],
    requested: Decimal,
    detail: str,
    result: PromotionResult,
) -> None:
    """Split ``requested`` over ``lines`` (floor-capped), book it on each line and on the order."""
    caps = [line.amount if promotion.allow_below_floor else line.headroom() for line in lines]
    shares, capped = allocate(requested, weights, caps)
    granted = sum(shares, ZERO)
    if granted == 0:
        result.skip(promotion, Reason.FLOOR_CLAMPED, f"{detail}; no line has room above its price floor")
        for line in lines:
            line.entries.append(
                Entry(
                    "promotion", promotion.code, False, Reason.FLOOR_CLAMPED, "no room above the price floor"
                )
            )
        return
    kind = promotion.kind.value
    for i, (line, share) in enumerate(zip(lines, shares, strict=True)):
        clamped = i in capped
        note = f"share {share} of {granted}" + (" (cut at the price floor)" if clamped else "")
        reason = Reason.FLOOR_CLAMPED if clamped else Reason.APPLIED
        line.entries.append(Entry("promotion", promotion.code, True, reason, f"{detail}: {note}", share))
        if share:
            line.amount -= share
            line.discounts.append(Discount("promotion", promotion.code, kind, share))
        _claim(promotion, line)
    if granted < requested:
        detail += f"; {requested} requested, {granted} granted (price floor)"
    reason = Reason.FLOOR_CLAMPED if granted < requested else Reason.APPLIED
    result.entries.append(Entry("promotion", promotion.code, True, reason, detail, granted))
    allocations = tuple((line.line_no, share) for line, share in zip(lines, shares, strict=True) if share)
    result.outcomes.append(PromotionOutcome(promotion.code, kind, granted, allocations, (), detail))


def _threshold(promotion: Promotion, lines: list[LineState], result: PromotionResult) -> None:
    threshold, discount = promotion.threshold_amount or ZERO, promotion.discount_amount or ZERO
    eligible_amount = sum((line.amount for line in lines), ZERO)
    if eligible_amount < threshold:
        result.skip(promotion, Reason.BELOW_THRESHOLD, f"eligible amount {eligible_amount} below {threshold}")
        return
    times = floor_units(eligible_amount / threshold) if promotion.repeat else Decimal(1)
    requested = min(round_fen(discount * times), eligible_amount)
    detail = f"满 {threshold} 减 {discount}" + (f" × {times}" if promotion.repeat else "")
    _grant(
        promotion, lines, [line.amount for line in lines], requested, f"{detail} on {eligible_amount}", result
    )


def _bundle(promotion: Promotion, lines: list[LineState], result: PromotionResult) -> None:
    available = {
        c.sku: sum((ln.qty for ln in lines if ln.product.sku == c.sku), _NONE) for c in promotion.bundle
    }
    sets = min(floor_units(available[c.sku] / c.qty) for c in promotion.bundle)
    if sets < 1:
        short = ", ".join(f"{c.sku} needs {c.qty}, has {available[c.sku]}" for c in promotion.bundle)
        result.skip(promotion, Reason.BUNDLE_INCOMPLETE, short)
        return
    consumed: dict[int, Decimal] = {}
    for component in promotion.bundle:
        need = sets * component.qty
        for line in lines:
            if line.product.sku == component.sku and need > 0:
                take = min(need, line.qty)
                consumed[line.line_no] = take
                need -= take
    used = [line for line in lines if line.line_no in consumed]
    values = [line.amount * consumed[line.line_no] / line.qty for line in used]
    price = round_fen(sets * (promotion.bundle_price or ZERO))
    discount = round_fen(sum(values, ZERO)) - price
    recipe = " + ".join(f"{c.sku}×{c.qty}" for c in promotion.bundle)
    detail = f"{sets} set(s) of {recipe} for {price}, was {round_fen(sum(values, ZERO))}"
    if discount <= 0:
        result.skip(promotion, Reason.NO_BENEFIT, detail)
        return
    _grant(promotion, used, values, discount, detail, result)


def _gift(
    promotion: Promotion,
    lines: list[LineState],
    products: Mapping[str, PricingProduct],
    value_free: Valuer,
    next_line_no: int,
    result: PromotionResult,
) -> None:
    buy_qty, free_qty = promotion.buy_qty or Decimal(1), promotion.free_qty or ZERO
    bought = sum((line.qty for line in lines), _NONE)
    units = floor_units(floor_units(bought / buy_qty) * free_qty)
    free_sku = promotion.free_sku or promotion.sku or ""
    if units < 1:
        result.skip(promotion, Reason.BELOW_BUY_QTY, f"{bought} bought, {free_qty} free per {buy_qty}")
        return
    if free_sku not in products:
        result.skip(promotion, Reason.UNKNOWN_FREE_SKU, f"free SKU {free_sku} is not in the catalog")
        return
    unit_price, price_list_code, how = value_free(free_sku, units)
    list_amount = round_fen(unit_price * units)
    detail = f"买 {buy_qty} 送 {free_qty}: {bought} bought, {units} × {free_sku} free (line {next_line_no})"
    for line in lines:
        line.entries.append(Entry("promotion", promotion.code, True, Reason.APPLIED, detail, ZERO))
        _claim(promotion, line)
    entry = Entry("promotion", promotion.code, True, Reason.APPLIED, f"{detail}, valued {how}", list_amount)
    result.free_goods.append(
        FreeGoods(next_line_no, free_sku, units, unit_price, list_amount, price_list_code, promotion, entry)
    )
    result.entries.append(Entry("promotion", promotion.code, True, Reason.APPLIED, detail, list_amount))
    kind = promotion.kind.value
    result.outcomes.append(PromotionOutcome(promotion.code, kind, list_amount, (), (next_line_no,), detail))


def apply_promotions(
    promotions: Iterable[Promotion],
    checks: PartyChecks,
    lines: list[LineState],
    products: Mapping[str, PricingProduct],
    value_free: Valuer,
) -> PromotionResult:
    """Run the ranked promotions over the priced lines (mutating their amounts and trails)."""
    result = PromotionResult()
    for promotion in promotions:
        missed = checks.promotion(promotion)
        if missed is not None:
            result.entries.append(missed)
            continue
        eligible = _eligible(promotion, lines)
        if not eligible:
            result.skip(promotion, Reason.NO_ELIGIBLE_LINES, "no open line in its scope")
        elif promotion.kind is PromotionKind.BUNDLE:
            _bundle(promotion, eligible, result)
        elif promotion.kind is PromotionKind.BUY_X_GET_Y:
            next_line_no = len(lines) + len(result.free_goods) + 1
            _gift(promotion, eligible, products, value_free, next_line_no, result)
        else:
            _threshold(promotion, eligible, result)
    return result
