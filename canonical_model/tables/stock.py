"""Stock levels per location × product × lot, and reservations per order line."""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.tables.base import QTY, UTCDateTime, lineage_columns, metadata, utcnow

__all__ = ["reservations", "stock_levels"]

stock_levels = sa.Table(
    "stock_levels",
    metadata,
    sa.Column("location_code", sa.String(32), primary_key=True),
    sa.Column("sku", sa.String(40), primary_key=True, index=True),
    # '' rather than NULL for "no lot": NULLs would defeat the natural key's uniqueness.
    sa.Column("lot", sa.String(40), primary_key=True, server_default=""),
    sa.Column("on_hand", QTY, nullable=False, server_default="0"),
    sa.Column("reserved", QTY, nullable=False, server_default="0"),
    sa.Column("in_transit", QTY, nullable=False, server_default="0"),
    sa.Column("expiry_date", sa.Date, nullable=True),
    sa.Column("as_of", UTCDateTime(), nullable=True, comment="snapshot time at the source"),
    *lineage_columns(),
    sa.CheckConstraint("reserved >= 0", name="reserved"),
)

reservations = sa.Table(
    "reservations",
    metadata,
    sa.Column("order_no", sa.String(40), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("location_code", sa.String(32), primary_key=True),
    sa.Column("lot", sa.String(40), primary_key=True, server_default=""),
    sa.Column("sku", sa.String(40), nullable=False),
    sa.Column("qty", QTY, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="active"),
    sa.Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    sa.CheckConstraint("qty > 0", name="qty"),
    sa.CheckConstraint("status IN ('active', 'released', 'consumed')", name="status"),
    sa.Index("ix_reservations_stock", "location_code", "sku", "lot", "status"),
)
