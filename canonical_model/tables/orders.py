"""Orders, their lines, allocations, payment plans, status history and external references."""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.tables.base import MONEY, QTY, JSONType, UTCDateTime, lineage_columns, metadata, utcnow

__all__ = [
    "ORDER_STATUSES",
    "external_refs",
    "order_allocations",
    "order_lines",
    "order_payment_plan",
    "order_status_history",
    "orders",
]

ORDER_STATUSES = (
    "draft",
    "submitted",
    "pending_approval",
    "approved",
    "allocated",
    "released_to_erp",
    "partially_shipped",
    "shipped",
    "delivered",
    "accepted",
    "closed",
    "on_hold",
    "cancelled",
    "rejected",
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("order_no", sa.String(40), primary_key=True, comment="our reference, sent to the ERP"),
    sa.Column("dealer_code", sa.String(32), sa.ForeignKey("dealers.code"), nullable=False, index=True),
    sa.Column("ship_to_location_code", sa.String(32), sa.ForeignKey("locations.code"), nullable=True),
    sa.Column("ship_to_region_code", sa.String(6), nullable=True),
    sa.Column("idempotency_key", sa.String(128), nullable=True),
    sa.Column("status", sa.String(20), nullable=False, server_default="draft", index=True),
    sa.Column("origin", sa.String(16), nullable=False, server_default="dms"),
    sa.Column("order_date", sa.Date, nullable=False),
    sa.Column("requested_delivery_date", sa.Date, nullable=True),
    sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
    sa.Column("total_list", MONEY, nullable=False, server_default="0"),
    sa.Column("total_discount", MONEY, nullable=False, server_default="0"),
    sa.Column("total_net", MONEY, nullable=False, server_default="0"),
    sa.Column("pricing_explanation", JSONType, nullable=True),
    sa.Column("validation", JSONType, nullable=True, comment="each check with its outcome and reason"),
    sa.Column("approval", sa.String(16), nullable=True, comment="auto | manual"),
    sa.Column("approved_by", sa.String(64), nullable=True),
    sa.Column("approved_at", UTCDateTime(), nullable=True),
    sa.Column("hold_reason", sa.String(300), nullable=True),
    sa.Column("cancel_reason", sa.String(300), nullable=True),
    sa.Column("created_by", sa.String(64), nullable=True),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    *lineage_columns(),
    sa.UniqueConstraint("dealer_code", "idempotency_key"),
    sa.CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in ORDER_STATUSES) + ")", name="status"),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column(
        "order_no", sa.String(40), sa.ForeignKey("orders.order_no", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("sku", sa.String(40), sa.ForeignKey("products.sku"), nullable=False),
    sa.Column("qty", QTY, nullable=False, comment="as requested, in unit"),
    sa.Column("unit", sa.String(8), nullable=False, server_default="EA"),
    sa.Column("qty_base", QTY, nullable=False, comment="in the product's base unit"),
    sa.Column("list_price", MONEY, nullable=False, server_default="0"),
    sa.Column("discount_amount", MONEY, nullable=False, server_default="0"),
    sa.Column("promotion_amount", MONEY, nullable=False, server_default="0"),
    sa.Column("net_price", MONEY, nullable=False, server_default="0"),
    sa.Column("net_amount", MONEY, nullable=False, server_default="0"),
    sa.Column("is_free_goods", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("applied_rules", JSONType, nullable=True),
    sa.Column("shipped_qty", QTY, nullable=False, server_default="0"),
    sa.Column("accepted_qty", QTY, nullable=False, server_default="0"),
    sa.CheckConstraint("qty > 0", name="qty"),
)

order_allocations = sa.Table(
    "order_allocations",
    metadata,
    sa.Column("order_no", sa.String(40), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("location_code", sa.String(32), sa.ForeignKey("locations.code"), primary_key=True),
    sa.Column("lot", sa.String(40), primary_key=True, server_default=""),
    sa.Column("qty", QTY, nullable=False),
    sa.ForeignKeyConstraint(
        ["order_no", "line_no"], ["order_lines.order_no", "order_lines.line_no"], ondelete="CASCADE"
    ),
    sa.CheckConstraint("qty > 0", name="qty"),
)

order_payment_plan = sa.Table(
    "order_payment_plan",
    metadata,
    sa.Column(
        "order_no", sa.String(40), sa.ForeignKey("orders.order_no", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("amount", MONEY, nullable=False),
    sa.Column("due_date", sa.Date, nullable=True),
    sa.Column("paid_amount", MONEY, nullable=False, server_default="0"),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.CheckConstraint("kind IN ('deposit', 'balance', 'full')", name="kind"),
    sa.CheckConstraint("status IN ('open', 'partially_paid', 'paid', 'cancelled')", name="status"),
)

order_status_history = sa.Table(
    "order_status_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "order_no",
        sa.String(40),
        sa.ForeignKey("orders.order_no", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("reason", sa.String(300), nullable=True),
    sa.Column("actor", sa.String(64), nullable=True),
    sa.Column("at", UTCDateTime(), nullable=False, default=utcnow),
)

# Our key <-> an external system's document number, for any entity (orders, dealers, ...).
external_refs = sa.Table(
    "external_refs",
    metadata,
    sa.Column("entity_type", sa.String(24), primary_key=True),
    sa.Column("entity_key", sa.String(64), primary_key=True),
    sa.Column("system", sa.String(64), primary_key=True),
    sa.Column("external_id", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.UniqueConstraint("system", "entity_type", "external_id"),
)
