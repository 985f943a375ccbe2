"""Products, product lines and unit conversions."""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.tables.base import MONEY, QTY, lineage_columns, metadata

__all__ = ["product_lines", "products", "unit_conversions"]

product_lines = sa.Table(
    "product_lines",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("brand", sa.String(100), nullable=True),
    *lineage_columns(),
)

products = sa.Table(
    "products",
    metadata,
    sa.Column("sku", sa.String(40), primary_key=True),
    sa.Column("gtin", sa.String(14), nullable=True, unique=True, comment="GTIN-14, check digit validated"),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("brand", sa.String(100), nullable=True),
    sa.Column(
        "product_line_code", sa.String(32), sa.ForeignKey("product_lines.code"), nullable=True, index=True
    ),
    sa.Column("base_unit", sa.String(8), nullable=False, server_default="EA"),
    sa.Column("case_pack", sa.Integer, nullable=False, server_default="1", comment="base units per case"),
    sa.Column("order_multiple", sa.Integer, nullable=False, server_default="1", comment="in base units"),
    sa.Column("min_order_qty", QTY, nullable=False, server_default="0"),
    sa.Column("shelf_life_days", sa.Integer, nullable=True),
    sa.Column("guide_price", MONEY, nullable=True, comment="suggested retail price per base unit"),
    sa.Column("price_floor", MONEY, nullable=True, comment="lowest net price per base unit"),
    sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    *lineage_columns(),
    sa.CheckConstraint("case_pack >= 1", name="case_pack"),
    sa.CheckConstraint("order_multiple >= 1", name="order_multiple"),
    sa.CheckConstraint("status IN ('active', 'discontinued')", name="status"),
)

unit_conversions = sa.Table(
    "unit_conversions",
    metadata,
    sa.Column("sku", sa.String(40), sa.ForeignKey("products.sku"), primary_key=True),
    sa.Column("unit", sa.String(8), primary_key=True, comment="CS, PK, ..."),
    sa.Column("factor", QTY, nullable=False, comment="base units in one of this unit"),
    *lineage_columns(),
    sa.CheckConstraint("factor > 0", name="factor"),
)
