"""Contracts, payments, receivables, rebates and dealers' sell-through reports."""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.tables.base import MONEY, QTY, JSONType, UTCDateTime, lineage_columns, metadata

__all__ = ["contracts", "payments", "rebate_accruals", "rebate_programs", "receivables", "sell_through"]

contracts = sa.Table(
    "contracts",
    metadata,
    sa.Column("contract_no", sa.String(40), primary_key=True),
    sa.Column("dealer_code", sa.String(32), sa.ForeignKey("dealers.code"), nullable=False, index=True),
    sa.Column("kind", sa.String(24), nullable=False, server_default="distribution"),
    sa.Column("provider", sa.String(32), nullable=True, comment="esign-docusign, esign-fadada, paper"),
    sa.Column("external_id", sa.String(64), nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_until", sa.Date, nullable=True),
    sa.Column("signed_at", UTCDateTime(), nullable=True),
    *lineage_columns(),
    sa.CheckConstraint(
        "status IN ('draft', 'sent', 'delivered', 'signed', 'declined', 'voided', 'expired')", name="status"
    ),
)

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("payment_no", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False, comment="alipay, wechat, bank"),
    sa.Column("external_id", sa.String(64), nullable=True),
    sa.Column("dealer_code", sa.String(32), nullable=True, index=True),
    sa.Column("order_no", sa.String(40), nullable=True, index=True),
    sa.Column("amount", MONEY, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("paid_at", UTCDateTime(), nullable=True),
    *lineage_columns(),
    sa.UniqueConstraint("channel", "external_id"),
    sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed', 'refunded', 'closed')", name="status"),
)

receivables = sa.Table(
    "receivables",
    metadata,
    sa.Column("document_no", sa.String(40), primary_key=True, comment="ERP invoice / FI document"),
    sa.Column("dealer_code", sa.String(32), nullable=False, index=True),
    sa.Column("amount_open", MONEY, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
    sa.Column("due_date", sa.Date, nullable=True),
    *lineage_columns(),
)

rebate_programs = sa.Table(
    "rebate_programs",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("basis", sa.String(16), nullable=False, comment="sell_in | sell_through"),
    sa.Column("dealer_level", sa.SmallInteger, nullable=True),
    sa.Column("product_line_code", sa.String(32), nullable=True),
    sa.Column("tiers", JSONType, nullable=False, comment="[{from_amount, rate}] ascending"),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_until", sa.Date, nullable=True),
    *lineage_columns(),
    sa.CheckConstraint("basis IN ('sell_in', 'sell_through')", name="basis"),
)

rebate_accruals = sa.Table(
    "rebate_accruals",
    metadata,
    sa.Column("program_code", sa.String(32), sa.ForeignKey("rebate_programs.code"), primary_key=True),
    sa.Column("dealer_code", sa.String(32), primary_key=True),
    sa.Column("period", sa.String(7), primary_key=True, comment="YYYY-MM"),
    sa.Column("basis_amount", MONEY, nullable=False),
    sa.Column("rebate_amount", MONEY, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="accrued"),
    sa.Column("calculation", JSONType, nullable=True, comment="basis, tier and rate applied"),
    *lineage_columns(),
)

sell_through = sa.Table(
    "sell_through",
    metadata,
    sa.Column("dealer_code", sa.String(32), primary_key=True),
    sa.Column("sku", sa.String(40), primary_key=True),
    sa.Column("period_date", sa.Date, primary_key=True),
    sa.Column("qty", QTY, nullable=False),
    sa.Column("amount", MONEY, nullable=True),
    *lineage_columns(),
)
