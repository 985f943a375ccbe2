"""Dealers and their tree, regions (territories), authorizations and locations."""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.tables.base import MONEY, lineage_columns, metadata

__all__ = [
    "DEALER_LEVELS",
    "DEALER_STATUSES",
    "authorizations",
    "dealer_closure",
    "dealer_qualifications",
    "dealers",
    "locations",
    "regions",
]

DEALER_LEVELS = {0: "brand", 1: "national", 2: "level1", 3: "level2", 4: "terminal"}
DEALER_STATUSES = ("active", "suspended", "frozen")

regions = sa.Table(
    "regions",
    metadata,
    sa.Column("code", sa.String(6), primary_key=True, comment="GB/T 2260 six-digit code"),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("parent_code", sa.String(6), sa.ForeignKey("regions.code"), nullable=True),
    *lineage_columns(),
    sa.CheckConstraint("level IN ('province', 'city', 'district')", name="level"),
)

dealers = sa.Table(
    "dealers",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("level", sa.SmallInteger, nullable=False),
    sa.Column("parent_code", sa.String(32), sa.ForeignKey("dealers.code"), nullable=True, index=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("grade", sa.String(1), nullable=True),
    sa.Column("uscc", sa.String(18), nullable=True, comment="unified social credit code"),
    sa.Column("gln", sa.String(13), nullable=True),
    sa.Column("region_code", sa.String(6), nullable=True, index=True),
    sa.Column("credit_limit", MONEY, nullable=False, server_default="0"),
    sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
    sa.Column("payment_terms_days", sa.Integer, nullable=False, server_default="0"),
    sa.Column("contract_required", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("contact_name", sa.String(100), nullable=True),
    sa.Column("contact_phone", sa.String(32), nullable=True),
    sa.Column("address", sa.String(300), nullable=True),
    *lineage_columns(),
    sa.CheckConstraint("level BETWEEN 0 AND 4", name="level"),
    sa.CheckConstraint("status IN ('active', 'suspended', 'frozen')", name="status"),
    sa.CheckConstraint("grade IS NULL OR grade IN ('A', 'B', 'C')", name="grade"),
)

# Closure table: one row per (ancestor, descendant) pair including (d, d) at depth 0, so
# "this dealer and all below" is one indexed lookup whatever the depth of the tree.
dealer_closure = sa.Table(
    "dealer_closure",
    metadata,
    sa.Column("ancestor_code", sa.String(32), primary_key=True),
    sa.Column("descendant_code", sa.String(32), primary_key=True, index=True),
    sa.Column("depth", sa.SmallInteger, nullable=False),
)

dealer_qualifications = sa.Table(
    "dealer_qualifications",
    metadata,
    sa.Column("dealer_code", sa.String(32), sa.ForeignKey("dealers.code"), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True, comment="business_license, food_permit, ..."),
    sa.Column("number", sa.String(64), nullable=True),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_until", sa.Date, nullable=True),
    *lineage_columns(),
)

authorizations = sa.Table(
    "authorizations",
    metadata,
    sa.Column("dealer_code", sa.String(32), sa.ForeignKey("dealers.code"), primary_key=True),
    sa.Column("scope_type", sa.String(16), primary_key=True),
    sa.Column("scope_code", sa.String(64), primary_key=True, comment="product line code or SKU"),
    sa.Column("region_code", sa.String(6), primary_key=True, comment="region or its prefix owner"),
    sa.Column("valid_from", sa.Date, primary_key=True),
    sa.Column("valid_until", sa.Date, nullable=True),
    *lineage_columns(),
    sa.CheckConstraint("scope_type IN ('product_line', 'product')", name="scope_type"),
)

locations = sa.Table(
    "locations",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("owner_dealer_code", sa.String(32), sa.ForeignKey("dealers.code"), nullable=True, index=True),
    sa.Column("region_code", sa.String(6), nullable=True),
    sa.Column("gln", sa.String(13), nullable=True),
    sa.Column("priority", sa.Integer, nullable=False, server_default="100"),
    sa.Column("address", sa.String(300), nullable=True),
    *lineage_columns(),
    sa.CheckConstraint("kind IN ('brand_warehouse', 'dealer_warehouse', 'store')", name="kind"),
)
