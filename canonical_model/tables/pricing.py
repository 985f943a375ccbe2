"""Price lists, price rules and promotions.

Scope columns are nullable: NULL means "any". The pricing engine (dms_core) orders
candidates by ``priority`` then specificity then code, so the outcome never depends on
row order.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from canonical_model.tables.base import MONEY, QTY, ExactDecimal, JSONType, lineage_columns, metadata

__all__ = ["price_list_items", "price_lists", "price_rules", "promotions"]


def _scope_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("dealer_level", sa.SmallInteger, nullable=True),
        sa.Column("region_prefix", sa.String(6), nullable=True, comment="GB/T 2260 prefix: 44, 4401, 440106"),
        sa.Column("dealer_code", sa.String(32), nullable=True),
        sa.Column("product_line_code", sa.String(32), nullable=True),
        sa.Column("sku", sa.String(40), nullable=True),
    ]


price_lists = sa.Table(
    "price_lists",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
    sa.Column("dealer_level", sa.SmallInteger, nullable=True),
    sa.Column("region_prefix", sa.String(6), nullable=True),
    sa.Column("dealer_code", sa.String(32), nullable=True),
    sa.Column("priority", sa.Integer, nullable=False, server_default="100"),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_until", sa.Date, nullable=True),
    *lineage_columns(),
)

price_list_items = sa.Table(
    "price_list_items",
    metadata,
    sa.Column("price_list_code", sa.String(32), sa.ForeignKey("price_lists.code"), primary_key=True),
    sa.Column("sku", sa.String(40), primary_key=True),
    sa.Column("min_qty", QTY, primary_key=True, comment="quantity tier threshold, base units"),
    sa.Column("unit_price", MONEY, nullable=False, comment="per base unit"),
    *lineage_columns(),
    sa.CheckConstraint("unit_price >= 0", name="unit_price"),
)

price_rules = sa.Table(
    "price_rules",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    *_scope_columns(),
    sa.Column("min_qty", QTY, nullable=True),
    sa.Column("max_qty", QTY, nullable=True),
    sa.Column("min_amount", MONEY, nullable=True),
    sa.Column(
        "tier_mode",
        sa.String(12),
        nullable=False,
        server_default="threshold",
        comment="threshold: whole qty re-priced; incremental: only qty above min_qty",
    ),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("value", ExactDecimal(18, 6), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False, server_default="100"),
    sa.Column(
        "exclusive",
        sa.Boolean,
        nullable=False,
        server_default=sa.false(),
        comment="stop evaluating lower-priority rules once applied",
    ),
    sa.Column("allow_below_floor", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_until", sa.Date, nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    *lineage_columns(),
    sa.CheckConstraint("action IN ('fixed_price', 'percent_off', 'amount_off')", name="action"),
    sa.CheckConstraint("tier_mode IN ('threshold', 'incremental')", name="tier_mode"),
)

promotions = sa.Table(
    "promotions",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    *_scope_columns(),
    sa.Column("threshold_amount", MONEY, nullable=True, comment="满减: spend at least this"),
    sa.Column("discount_amount", MONEY, nullable=True, comment="满减: take this off"),
    sa.Column("buy_qty", QTY, nullable=True, comment="买A送B: per this many bought"),
    sa.Column("free_sku", sa.String(40), nullable=True),
    sa.Column("free_qty", QTY, nullable=True, comment="whole units given per buy_qty"),
    sa.Column("bundle", JSONType, nullable=True, comment="bundle: [{sku, qty}] and its price"),
    sa.Column("bundle_price", MONEY, nullable=True),
    sa.Column("priority", sa.Integer, nullable=False, server_default="100"),
    sa.Column("stackable", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_until", sa.Date, nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    *lineage_columns(),
    sa.CheckConstraint("kind IN ('threshold_discount', 'buy_x_get_y', 'bundle')", name="kind"),
)
