"""The pricing catalog: validated, normalised rows, indexed so a quote never scans every rule.

Ranking (the whole determinism story): every price list, rule and promotion gets a sort
key computed once, here, from its own fields:

- rules: ``(priority, specificity, code)`` where specificity orders dealer > SKU >
  product line > region (longer significant prefix first) > dealer level > global;
- price lists: ``(priority, dealer > region > level, code)``;
- promotions: ``(priority, kind: bundle, buy_x_get_y, threshold_discount, specificity, code)``.

Lower priority numbers come first. Codes are unique, so keys are unique and the order
never depends on the order rows were listed or loaded in.

Indexes: rules by SKU, by product line and global; price lists by the SKUs they have
items for; both split into general rows and rows scoped to one dealer, so a line only
looks at the rows that can concern its dealer (``everyone=True`` widens that to all
dealers, to explain ``other_dealer``).
"""

from __future__ import annotations

import functools
import heapq
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from dms_core.pricing.errors import CatalogDateMismatch, InvalidPricingData, UnknownProduct
from dms_core.pricing.model import (
    PriceList,
    PriceListItem,
    PriceRule,
    PricingContext,
    PricingProduct,
    Promotion,
    PromotionKind,
)
from dms_core.pricing.scope import PartyChecks
from dms_core.pricing.validation import check_price_list, check_product, check_promotion, check_rule

__all__ = ["PricingCatalog", "Tier"]

T = TypeVar("T")
R = TypeVar("R")
SortKey = tuple[int | str, ...]
Tier = tuple[Decimal, Decimal]
"""``(min_qty, unit_price)`` of one price list item."""

_KIND_RANK = {PromotionKind.BUNDLE: 0, PromotionKind.BUY_X_GET_Y: 1, PromotionKind.THRESHOLD_DISCOUNT: 2}
_ALL = ("all", "")
_CONTEXTS = 1024  # recent contexts whose party checks stay cached (a few KB each)


def _set(value: object) -> int:
    return -1 if value is not None else 0


def rule_key(rule: PriceRule) -> SortKey:
    """Priority, then dealer > SKU > line > region (longer first) > level > global, then code."""
    return (
        rule.priority,
        _set(rule.dealer_code),
        _set(rule.sku),
        _set(rule.product_line_code),
        -len(rule.region_prefix or ""),
        _set(rule.dealer_level),
        rule.code,
    )


def price_list_key(price_list: PriceList) -> SortKey:
    """Priority, then dealer > region (longer first) > level > general, then code."""
    return (
        price_list.priority,
        _set(price_list.dealer_code),
        -len(price_list.region_prefix or ""),
        _set(price_list.dealer_level),
        price_list.code,
    )


def promotion_key(promotion: Promotion) -> SortKey:
    """Priority, then kind (bundles, gifts, 满减), then specificity like rules, then code."""
    return (
        promotion.priority,
        _KIND_RANK[promotion.kind],
        _set(promotion.dealer_code),
        _set(promotion.sku),
        _set(promotion.product_line_code),
        -len(promotion.region_prefix or ""),
        _set(promotion.dealer_level),
        promotion.code,
    )


class _Ranked(Generic[T]):
    """Rows split into general ones and ones scoped to a dealer, each bucket sorted by key."""

    __slots__ = ("_all_dealers", "_by_dealer", "_dealers", "_general")

    def __init__(self, rows: Iterable[tuple[Hashable, str | None, SortKey, T]]) -> None:
        general: dict[Hashable, list[tuple[SortKey, T]]] = defaultdict(list)
        by_dealer: dict[tuple[str, Hashable], list[tuple[SortKey, T]]] = defaultdict(list)
        all_dealers: dict[Hashable, list[tuple[SortKey, T]]] = defaultdict(list)
        for bucket, dealer, key, row in rows:
            if dealer is None:
                general[bucket].append((key, row))
            else:
                by_dealer[(dealer, bucket)].append((key, row))
                all_dealers[bucket].append((key, row))
        self._general = {b: tuple(sorted(v, key=_first)) for b, v in general.items()}
        self._by_dealer = {b: tuple(sorted(v, key=_first)) for b, v in by_dealer.items()}
        self._all_dealers = {b: tuple(sorted(v, key=_first)) for b, v in all_dealers.items()}
        self._dealers = {dealer for dealer, _ in by_dealer}

    def general(self, buckets: Sequence[Hashable]) -> list[T]:
        return _merge([self._general.get(b, ()) for b in buckets])

    def dealer_specific(
        self, buckets: Sequence[Hashable], dealer: str, everyone: bool
    ) -> list[tuple[SortKey, T]]:
        if everyone:
            parts = [self._all_dealers.get(b, ()) for b in buckets]
        else:
            parts = [self._by_dealer.get((dealer, b), ()) for b in buckets]
        return list(heapq.merge(*parts, key=_first)) if any(parts) else []

    def ranked(
        self, buckets: Sequence[Hashable], dealer: str, everyone: bool, cache: dict[Hashable, list[T]]
    ) -> list[T]:
        """General rows (cached per bucket set) merged with this dealer's rows, in key order."""
        cache_key = tuple(buckets)
        general = cache.get(cache_key)
        if general is None:
            general = cache[cache_key] = self.general(buckets)
        if not everyone and dealer not in self._dealers:
            return general
        specific = self.dealer_specific(buckets, dealer, everyone)
        if not specific:
            return general
        keyed = [(k, r) for b in buckets for k, r in self._general.get(b, ())]
        return [row for _, row in sorted(keyed + specific, key=_first)]


def _first(pair: tuple[SortKey, object]) -> SortKey:
    return pair[0]


def _merge(parts: Sequence[Sequence[tuple[SortKey, T]]]) -> list[T]:
    return [row for _, row in heapq.merge(*parts, key=_first)]


class PricingCatalog:
    """Everything a quote needs, validated and indexed once; no database access after this.

    ``valid_on`` records the day the rows were filtered for (``load_catalog(on=...)``);
    quoting an order of another day then raises :class:`CatalogDateMismatch` instead of
    silently missing rules. Raises :class:`InvalidPricingData` listing every bad row.
    """

    __slots__ = (
        "_checks",
        "_items",
        "_list_cache",
        "_lists",
        "_promotion_cache",
        "_promotions",
        "_rule_cache",
        "_rules",
        "price_lists",
        "products",
        "promotions",
        "rules",
        "valid_on",
    )

    def __init__(
        self,
        *,
        products: Iterable[PricingProduct],
        price_lists: Iterable[PriceList] = (),
        price_list_items: Iterable[PriceListItem] = (),
        rules: Iterable[PriceRule] = (),
        promotions: Iterable[Promotion] = (),
        valid_on: date | None = None,
    ) -> None:
        problems: list[str] = []
        self.products: Mapping[str, PricingProduct] = _unique(
            products, "product", lambda p: p.sku, check_product, problems
        )
        self.price_lists: Mapping[str, PriceList] = _unique(
            price_lists, "price list", lambda p: p.code, check_price_list, problems
        )
        self.rules: Mapping[str, PriceRule] = _unique(rules, "rule", lambda r: r.code, check_rule, problems)
        self.promotions: Mapping[str, Promotion] = _unique(
            promotions, "promotion", lambda p: p.code, check_promotion, problems
        )
        tiers: dict[tuple[str, str], dict[Decimal, Decimal]] = defaultdict(dict)
        for item in price_list_items:
            where = f"price list item {item.price_list_code}/{item.sku}/{item.min_qty}"
            if item.price_list_code not in self.price_lists:
                problems.append(f"{where}: unknown price list")
            elif item.unit_price < 0 or item.min_qty < 0:
                problems.append(f"{where}: unit price and min qty must not be negative")
            elif item.min_qty in tiers[(item.price_list_code, item.sku)]:
                problems.append(f"{where}: duplicate tier")
            else:
                tiers[(item.price_list_code, item.sku)][item.min_qty] = item.unit_price
        if problems:
            raise InvalidPricingData(problems)
        self.valid_on = valid_on
        self._items: dict[tuple[str, str], tuple[Tier, ...]] = {
            key: tuple(sorted(by_qty.items(), reverse=True)) for key, by_qty in tiers.items()
        }
        self._lists: _Ranked[PriceList] = _Ranked(
            (
                sku,
                self.price_lists[code].dealer_code,
                price_list_key(self.price_lists[code]),
                self.price_lists[code],
            )
            for code, sku in self._items
        )
        self._rules: _Ranked[PriceRule] = _Ranked(
            (_rule_bucket(r), r.dealer_code, rule_key(r), r) for r in self.rules.values()
        )
        self._promotions: _Ranked[Promotion] = _Ranked(
            (_ALL, p.dealer_code, promotion_key(p), p) for p in self.promotions.values()
        )
        self._rule_cache: dict[Hashable, list[PriceRule]] = {}
        self._list_cache: dict[Hashable, list[PriceList]] = {}
        self._promotion_cache: dict[Hashable, list[Promotion]] = {}
        self._checks = functools.lru_cache(maxsize=_CONTEXTS)(PartyChecks)

    def checks_for(self, context: PricingContext) -> PartyChecks:
        """The party checks of a context, shared by every quote of that dealer/region/day (LRU)."""
        return self._checks(context)

    def product(self, sku: str) -> PricingProduct:
        """The product, or :class:`UnknownProduct`."""
        try:
            return self.products[sku]
        except KeyError:
            raise UnknownProduct(sku) from None

    def check_date(self, order_date: date) -> None:
        """Raise :class:`CatalogDateMismatch` if the rows were filtered for another day."""
        if self.valid_on is not None and self.valid_on != order_date:
            raise CatalogDateMismatch(self.valid_on, order_date)

    def price_lists_for(self, sku: str, dealer_code: str, *, everyone: bool = False) -> list[PriceList]:
        """Price lists with an item for ``sku``, ranked; dealer-scoped ones only for ``dealer_code``."""
        return self._lists.ranked((sku,), dealer_code, everyone, self._list_cache)

    def tiers(self, price_list_code: str, sku: str) -> tuple[Tier, ...]:
        """``(min_qty, unit_price)`` tiers of ``sku`` on a price list, highest ``min_qty`` first."""
        return self._items.get((price_list_code, sku), ())

    def rules_for(
        self, product: PricingProduct, dealer_code: str, *, everyone: bool = False
    ) -> list[PriceRule]:
        """Rules scoped to this SKU, its product line or to no product, ranked."""
        buckets: tuple[Hashable, ...] = (
            (("sku", product.sku), ("line", product.product_line_code), _ALL)
            if product.product_line_code is not None
            else (("sku", product.sku), _ALL)
        )
        return self._rules.ranked(buckets, dealer_code, everyone, self._rule_cache)

    def promotions_for(self, dealer_code: str, *, everyone: bool = False) -> list[Promotion]:
        """Promotions that can concern this dealer (``everyone``: all), ranked."""
        return self._promotions.ranked((_ALL,), dealer_code, everyone, self._promotion_cache)


def _rule_bucket(rule: PriceRule) -> Hashable:
    if rule.sku is not None:
        return ("sku", rule.sku)
    if rule.product_line_code is not None:
        return ("line", rule.product_line_code)
    return _ALL


def _unique(
    rows: Iterable[R],
    kind: str,
    code_of: Callable[[R], str],
    check: Callable[[R], tuple[R, list[str]]],
    problems: list[str],
) -> dict[str, R]:
    """Check and normalise each row; collect problems (bad values, duplicate codes) instead of stopping."""
    unique: dict[str, R] = {}
    seen: set[str] = set()
    for row in rows:
        code = code_of(row)
        fixed, found = check(row)
        if not code:
            found.append("empty code")
        if code in seen:
            found.append("duplicate code")
        seen.add(code)
        if found:
            problems.extend(f"{kind} {code}: {problem}" for problem in found)
        else:
            unique[code] = fixed
    return unique
