"""Load a :class:`PricingCatalog` from the canonical tables (SQLAlchemy Core, both backends).

One call reads every pricing row an ordering service needs; quote many orders against
the result without touching the database again. Soft-deleted rows (``deleted_at``) are
never loaded. With ``on``, only rows valid that day are loaded and the catalog refuses
orders of other days; inactive rules and promotions are still loaded so explanations can
say ``inactive``. With ``skus``, only those products (plus the SKUs promotions give away
or bundle) and the items and SKU rules for them are loaded; product-line and global
rules always are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from canonical_model.errors import HubError
from canonical_model.money import to_decimal
from canonical_model.store.database import database_errors
from canonical_model.tables import price_list_items, price_lists, price_rules, products, promotions
from dms_core.pricing.catalog import PricingCatalog
from dms_core.pricing.model import (
    Action,
    BundleComponent,
    PriceList,
    PriceListItem,
    PriceRule,
    PricingProduct,
    Promotion,
    PromotionKind,
    TierMode,
)

__all__ = ["load_catalog"]

_CHUNK = 500  # SKUs per IN (...) list: well under SQLite's bound-parameter limit


def _plain(value: Decimal | None) -> Decimal | None:
    """Drop the column scale's trailing zeros (``10.000000`` → ``10``) without exponent notation."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _money(value: Decimal | None) -> Decimal | None:
    """Money at the column's scale (``4.0000``) shown as fen (``4.00``) when that is exact."""
    if value is None:
        return None
    fen = value.quantize(Decimal("0.01"))
    return fen if fen == value else value.normalize()


def _live(table: sa.Table, on: date | None) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [table.c.deleted_at.is_(None)]
    if on is not None and "valid_from" in table.c:
        conditions.append(sa.or_(table.c.valid_from.is_(None), table.c.valid_from <= on))
        conditions.append(sa.or_(table.c.valid_until.is_(None), table.c.valid_until >= on))
    return conditions


def _chunks(skus: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(skus), _CHUNK):
        yield skus[start : start + _CHUNK]


def _rows(
    conn: sa.Connection, query: sa.Select[Any], column: sa.ColumnElement[Any], skus: Sequence[str] | None
) -> list[sa.Row[Any]]:
    if skus is None:
        return list(conn.execute(query))
    return [row for chunk in _chunks(skus) for row in conn.execute(query.where(column.in_(chunk)))]


def _bundle(raw: object) -> tuple[BundleComponent, ...]:
    """``[{"sku": ..., "qty": ...}]``; anything else becomes empty, which the catalog reports."""
    if not isinstance(raw, list):
        return ()
    try:
        return tuple(BundleComponent(str(c["sku"]), to_decimal(c["qty"], what="bundle qty")) for c in raw)
    except (KeyError, TypeError, HubError):
        return ()


def _promotion(row: sa.Row[Any]) -> Promotion:
    m = row._mapping
    return Promotion(
        code=m["code"],
        kind=PromotionKind(m["kind"]),
        dealer_level=m["dealer_level"],
        region_prefix=m["region_prefix"],
        dealer_code=m["dealer_code"],
        product_line_code=m["product_line_code"],
        sku=m["sku"],
        threshold_amount=_money(m["threshold_amount"]),
        discount_amount=_money(m["discount_amount"]),
        repeat=bool(m.get("repeat", False)),
        buy_qty=_plain(m["buy_qty"]),
        free_sku=m["free_sku"],
        free_qty=_plain(m["free_qty"]),
        bundle=_bundle(m["bundle"]),
        bundle_price=_money(m["bundle_price"]),
        priority=m["priority"],
        stackable=m["stackable"],
        allow_below_floor=bool(m.get("allow_below_floor", False)),
        valid_from=m["valid_from"],
        valid_until=m["valid_until"],
        active=m["active"],
        name=m["name"],
    )


def _rule(row: sa.Row[Any]) -> PriceRule:
    m = row._mapping
    return PriceRule(
        code=m["code"],
        action=Action(m["action"]),
        value=(_plain if m["action"] == Action.PERCENT_OFF else _money)(m["value"]) or Decimal(0),
        dealer_level=m["dealer_level"],
        region_prefix=m["region_prefix"],
        dealer_code=m["dealer_code"],
        product_line_code=m["product_line_code"],
        sku=m["sku"],
        min_qty=_plain(m["min_qty"]),
        max_qty=_plain(m["max_qty"]),
        min_amount=_money(m["min_amount"]),
        tier_mode=TierMode(m["tier_mode"]),
        priority=m["priority"],
        exclusive=m["exclusive"],
        allow_below_floor=m["allow_below_floor"],
        valid_from=m["valid_from"],
        valid_until=m["valid_until"],
        active=m["active"],
        name=m["name"],
    )


def load_catalog(
    conn: sa.Connection, *, skus: Iterable[str] | None = None, on: date | None = None
) -> PricingCatalog:
    """Read products, price lists and items, rules and promotions into a :class:`PricingCatalog`.

    Raises the store's typed errors for database failures and :class:`InvalidPricingData`
    listing every row the engine cannot use.
    """
    with database_errors(conn.engine.url):
        promotion_rows = conn.execute(sa.select(promotions).where(*_live(promotions, on)))
        loaded_promotions = [_promotion(row) for row in promotion_rows]
        wanted: list[str] | None = None
        if skus is not None:
            extra = {p.free_sku for p in loaded_promotions if p.free_sku} | {
                c.sku for p in loaded_promotions for c in p.bundle
            }
            wanted = sorted(set(skus) | extra)
        product_query = sa.select(
            products.c.sku,
            products.c.product_line_code,
            products.c.guide_price,
            products.c.price_floor,
            products.c.currency,
        ).where(*_live(products, None))
        loaded_products = [
            PricingProduct(
                r.sku, r.product_line_code, _money(r.guide_price), _money(r.price_floor), r.currency
            )
            for r in _rows(conn, product_query, products.c.sku, wanted)
        ]
        loaded_lists = [
            PriceList(
                code=r.code,
                currency=r.currency,
                dealer_level=r.dealer_level,
                region_prefix=r.region_prefix,
                dealer_code=r.dealer_code,
                priority=r.priority,
                valid_from=r.valid_from,
                valid_until=r.valid_until,
                name=r.name,
            )
            for r in conn.execute(sa.select(price_lists).where(*_live(price_lists, on)))
        ]
        item_query = (
            sa.select(
                price_list_items.c.price_list_code,
                price_list_items.c.sku,
                price_list_items.c.unit_price,
                price_list_items.c.min_qty,
            )
            .join(price_lists, price_lists.c.code == price_list_items.c.price_list_code)
            .where(*_live(price_list_items, None), *_live(price_lists, on))
        )
        loaded_items = [
            PriceListItem(
                r.price_list_code, r.sku, _money(r.unit_price) or Decimal(0), _plain(r.min_qty) or Decimal(0)
            )
            for r in _rows(conn, item_query, price_list_items.c.sku, wanted)
        ]
        rule_query = sa.select(price_rules).where(*_live(price_rules, on))
        rule_rows = (
            list(conn.execute(rule_query))
            if wanted is None
            else [
                *conn.execute(rule_query.where(price_rules.c.sku.is_(None))),
                *_rows(conn, rule_query, price_rules.c.sku, wanted),
            ]
        )
        loaded_rules = [_rule(row) for row in rule_rows]
    return PricingCatalog(
        products=loaded_products,
        price_lists=loaded_lists,
        price_list_items=loaded_items,
        rules=loaded_rules,
        promotions=loaded_promotions,
        valid_on=on,
    )
