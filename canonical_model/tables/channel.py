"""Channel control: alerts with their evidence, observed resale prices, rebate statement lines,
dealer health grades and per-dealer stock health (replenishment)."""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.tables.base import MONEY, QTY, RATE, JSONType, UTCDateTime, lineage_columns, metadata

__all__ = [
    "ALERT_KINDS",
    "ALERT_STATUSES",
    "channel_alerts",
    "dealer_health",
    "price_observations",
    "rebate_statement_lines",
    "stock_health",
]

ALERT_KINDS = ("counterfeit", "duplication", "diversion", "price_violation", "receiving_mismatch")
ALERT_STATUSES = ("open", "resolved", "dismissed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


# One row per alert. ``evidence`` is the chain the brand acts on: the EPCIS event ids from
# commissioning to the triggering scan (or the observations behind a price violation).
channel_alerts = sa.Table(
    "channel_alerts",
    metadata,
    sa.Column("alert_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(24), nullable=False, index=True),
    sa.Column("status", sa.String(12), nullable=False, server_default="open", index=True),
    sa.Column("dealer_code", sa.String(32), nullable=True, index=True, comment="the responsible dealer"),
    sa.Column("sku", sa.String(40), nullable=True),
    sa.Column("code", sa.String(120), nullable=True, index=True, comment="the trace code (EPC URN)"),
    sa.Column("region_code", sa.String(6), nullable=True, comment="where it was seen"),
    sa.Column("event_id", sa.String(120), nullable=True, comment="the triggering trace event"),
    sa.Column("evidence", JSONType, nullable=False, comment="event ids / observations, oldest first"),
    sa.Column("details", JSONType, nullable=True),
    sa.Column("dealer_frozen", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("raised_at", UTCDateTime(), nullable=False, index=True),
    sa.Column("resolved_at", UTCDateTime(), nullable=True),
    sa.Column("resolved_by", sa.String(64), nullable=True),
    sa.Column("resolution", sa.String(500), nullable=True),
    *lineage_columns(),
    sa.CheckConstraint(_in("kind", ALERT_KINDS), name="kind"),
    sa.CheckConstraint(_in("status", ALERT_STATUSES), name="status"),
)

# Resale prices reported by dealers or observed in the market (store checks, e-commerce).
price_observations = sa.Table(
    "price_observations",
    metadata,
    sa.Column("observation_id", sa.String(64), primary_key=True),
    sa.Column("dealer_code", sa.String(32), nullable=False, index=True),
    sa.Column("sku", sa.String(40), nullable=False),
    sa.Column("price", MONEY, nullable=False, comment="per base unit"),
    sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
    sa.Column("observed_at", UTCDateTime(), nullable=False),
    sa.Column("source", sa.String(16), nullable=False, comment="dealer_report | market_check"),
    sa.Column("region_code", sa.String(6), nullable=True),
    sa.Column("reference", sa.String(500), nullable=True, comment="shop, URL or report number"),
    *lineage_columns(),
    sa.CheckConstraint(_in("source", ("dealer_report", "market_check")), name="source"),
)

# The lines that produced a rebate accrual: a statement is these rows for one accrual.
rebate_statement_lines = sa.Table(
    "rebate_statement_lines",
    metadata,
    sa.Column("program_code", sa.String(32), primary_key=True),
    sa.Column("dealer_code", sa.String(32), primary_key=True),
    sa.Column("period", sa.String(7), primary_key=True, comment="YYYY-MM"),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("source_kind", sa.String(16), nullable=False, comment="order | sell_through | receipt"),
    sa.Column("source_ref", sa.String(64), nullable=False),
    sa.Column("sku", sa.String(40), nullable=True),
    sa.Column("qty", QTY, nullable=True),
    sa.Column("amount", MONEY, nullable=True),
    *lineage_columns(),
)

# A/B/C grade per dealer and period with the components that produced it.
dealer_health = sa.Table(
    "dealer_health",
    metadata,
    sa.Column("dealer_code", sa.String(32), primary_key=True),
    sa.Column("period", sa.String(7), primary_key=True, comment="YYYY-MM"),
    sa.Column("grade", sa.String(1), nullable=False),
    sa.Column("score", RATE, nullable=False),
    sa.Column("components", JSONType, nullable=False),
    sa.Column("computed_at", UTCDateTime(), nullable=False),
    *lineage_columns(),
    sa.CheckConstraint("grade IN ('A', 'B', 'C')", name="grade"),
)

# Replenishment: per dealer and SKU on a day, the safety stock and the health flags.
stock_health = sa.Table(
    "stock_health",
    metadata,
    sa.Column("dealer_code", sa.String(32), primary_key=True),
    sa.Column("sku", sa.String(40), primary_key=True),
    sa.Column("as_of", sa.Date, primary_key=True),
    sa.Column("on_hand", QTY, nullable=False),
    sa.Column("avg_daily_sell_through", QTY, nullable=False),
    sa.Column("safety_stock", QTY, nullable=False),
    sa.Column("suggested_qty", QTY, nullable=False, server_default="0"),
    sa.Column("flags", JSONType, nullable=False, comment="overdue, slow, fast, expiring"),
    sa.Column("draft_order_no", sa.String(40), nullable=True),
    *lineage_columns(),
)
