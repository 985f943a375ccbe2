"""``quote``: price an order against a catalog, with the explanation of every step.

Pure and DB-free: everything comes from the :class:`PricingCatalog` (load it once with
``repository.load_catalog`` and reuse it across orders).

Order of work per line: base price (best price list) → price rules (ranked, stacked,
floor-guarded) → then, across the order, promotions (ranked). See ``rules`` and
``promotions`` for the exact semantics and ``amounts`` for where rounding happens.
"""

from __future__ import annotations

from decimal import Decimal

from dms_core.pricing.amounts import ZERO, round_fen, round_unit
from dms_core.pricing.catalog import PricingCatalog
from dms_core.pricing.errors import NoApplicablePrice
from dms_core.pricing.explain import Discount, Entry, Quote, QuotedLine
from dms_core.pricing.model import PricingContext, QuoteRequest
from dms_core.pricing.promotions import FreeGoods, LineState, apply_promotions
from dms_core.pricing.rules import apply_rules, choose_base_price, comparable_floor

__all__ = ["quote"]


def quote(
    catalog: PricingCatalog, context: PricingContext, request: QuoteRequest, *, explain_all: bool = False
) -> Quote:
    """Price ``request`` for ``context``.

    Returns a :class:`Quote` whose line amounts sum exactly to ``total_net``. Raises
    :class:`UnknownProduct` for a SKU not in the catalog, :class:`NoApplicablePrice`
    (with the per-list reasons) when no price list prices a line, and
    :class:`CatalogDateMismatch` for a catalog loaded for another day.

    ``explain_all`` also considers price lists, rules and promotions scoped to *other*
    dealers, so the explanation names them with ``other_dealer`` (slower; for support
    questions such as "why did I not get R?").
    """
    catalog.check_date(context.order_date)
    checks = catalog.checks_for(context)
    states: list[LineState] = []
    for line_no, (sku, qty) in enumerate(request.lines, start=1):
        product = catalog.product(sku)
        lists = catalog.price_lists_for(sku, context.dealer_code, everyone=explain_all)
        base, list_entries = choose_base_price(catalog, lists, checks, sku, qty)
        if base is None:
            raise NoApplicablePrice(sku, list_entries)
        list_amount = round_fen(base.unit_price * qty)
        rules = catalog.rules_for(product, context.dealer_code, everyone=explain_all)
        priced = apply_rules(rules, product, checks, qty, base.unit_price, list_amount)
        floor = comparable_floor(product, context)
        states.append(
            LineState(
                line_no=line_no,
                product=product,
                qty=qty,
                list_price=base.unit_price,
                list_amount=list_amount,
                price_list_code=base.price_list_code,
                amount=priced.amount,
                floor_amount=ZERO if floor is None else round_fen(floor * qty),
                entries=[*list_entries, *priced.entries],
                discounts=priced.discounts,
            )
        )

    def value_free(sku: str, qty: Decimal) -> tuple[Decimal, str | None, str]:
        lists = catalog.price_lists_for(sku, context.dealer_code)
        base, _ = choose_base_price(catalog, lists, checks, sku, qty)
        if base is not None:
            return base.unit_price, base.price_list_code, f"at {base.unit_price} from {base.price_list_code}"
        guide = catalog.products[sku].guide_price
        if guide is not None:
            return guide, None, f"at the guide price {guide}"
        return ZERO, None, "at 0 (no price list or guide price)"

    promotions = catalog.promotions_for(context.dealer_code, everyone=explain_all)
    result = apply_promotions(promotions, checks, states, catalog.products, value_free)
    lines = [_quoted(state) for state in states] + [_free_line(catalog, free) for free in result.free_goods]
    total_list = sum((line.list_amount for line in lines), ZERO)
    total_net = sum((line.net_amount for line in lines), ZERO)
    return Quote(
        currency=context.currency,
        lines=tuple(lines),
        order_promotions=tuple(result.outcomes),
        total_list=total_list,
        total_discount=total_list - total_net,
        total_net=total_net,
        explanation=tuple(result.entries),
    )


def _quoted(state: LineState) -> QuotedLine:
    return QuotedLine(
        line_no=state.line_no,
        sku=state.product.sku,
        qty=state.qty,
        list_price=state.list_price,
        list_amount=state.list_amount,
        price_list_code=state.price_list_code,
        discounts=tuple(state.discounts),
        net_unit_price=round_unit(state.amount / state.qty),
        net_amount=state.amount,
        is_free_goods=False,
        explanation=tuple(state.entries),
        guide_price=state.product.guide_price,
    )


def _free_line(catalog: PricingCatalog, free: FreeGoods) -> QuotedLine:
    promotion = free.promotion
    discount = Discount("promotion", promotion.code, promotion.kind.value, free.list_amount)
    entries: tuple[Entry, ...] = (free.entry,)
    return QuotedLine(
        line_no=free.line_no,
        sku=free.sku,
        qty=free.qty,
        list_price=free.list_price,
        list_amount=free.list_amount,
        price_list_code=free.price_list_code,
        discounts=(discount,) if free.list_amount else (),
        net_unit_price=round_unit(ZERO),
        net_amount=ZERO,
        is_free_goods=True,
        explanation=entries,
        guide_price=catalog.products[free.sku].guide_price,
    )
