"""SQLAlchemy 2.0 tables of the canonical model; ``metadata`` holds them all."""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.tables.access import api_keys
from canonical_model.tables.base import (
    MONEY,
    QTY,
    RATE,
    ExactDecimal,
    JSONType,
    UTCDateTime,
    lineage_columns,
    metadata,
    utcnow,
)
from canonical_model.tables.channel import (
    ALERT_KINDS,
    ALERT_STATUSES,
    channel_alerts,
    dealer_health,
    price_observations,
    rebate_statement_lines,
    stock_health,
)
from canonical_model.tables.commercial import (
    contracts,
    payments,
    rebate_accruals,
    rebate_programs,
    receivables,
    sell_through,
)
from canonical_model.tables.integration import (
    inbox,
    outbox,
    quarantine,
    sync_run_streams,
    sync_runs,
    sync_state,
)
from canonical_model.tables.logistics import (
    SHIPMENT_EVENT_CODES,
    ShipmentEventCode,
    shipment_events,
    shipment_lines,
    shipments,
)
from canonical_model.tables.orders import (
    ORDER_STATUSES,
    external_refs,
    order_allocations,
    order_lines,
    order_payment_plan,
    order_status_history,
    orders,
)
from canonical_model.tables.parties import (
    DEALER_LEVELS,
    DEALER_STATUSES,
    authorizations,
    dealer_closure,
    dealer_qualifications,
    dealers,
    locations,
    regions,
)
from canonical_model.tables.pricing import price_list_items, price_lists, price_rules, promotions
from canonical_model.tables.products import product_lines, products, unit_conversions
from canonical_model.tables.stock import reservations, stock_levels
from canonical_model.tables.trace import trace_codes, trace_event_epcs, trace_events

__all__ = [
    "ALERT_KINDS",
    "ALERT_STATUSES",
    "DEALER_LEVELS",
    "DEALER_STATUSES",
    "MONEY",
    "ORDER_STATUSES",
    "QTY",
    "RATE",
    "SHIPMENT_EVENT_CODES",
    "ExactDecimal",
    "JSONType",
    "ShipmentEventCode",
    "UTCDateTime",
    "api_keys",
    "authorizations",
    "channel_alerts",
    "contracts",
    "dealer_closure",
    "dealer_health",
    "dealer_qualifications",
    "dealers",
    "external_refs",
    "inbox",
    "lineage_columns",
    "locations",
    "metadata",
    "order_allocations",
    "order_lines",
    "order_payment_plan",
    "order_status_history",
    "orders",
    "outbox",
    "payments",
    "price_list_items",
    "price_lists",
    "price_observations",
    "price_rules",
    "product_lines",
    "products",
    "promotions",
    "quarantine",
    "rebate_accruals",
    "rebate_programs",
    "rebate_statement_lines",
    "receivables",
    "regions",
    "reservations",
    "sell_through",
    "shipment_events",
    "shipment_lines",
    "shipments",
    "stock_health",
    "stock_levels",
    "sync_run_streams",
    "sync_runs",
    "sync_state",
    "table",
    "trace_codes",
    "trace_event_epcs",
    "trace_events",
    "unit_conversions",
    "utcnow",
]


def table(name: str) -> sa.Table:
    """The canonical table called ``name``; a clear error for an unknown name."""
    from canonical_model.errors import ConfigError

    try:
        return metadata.tables[name]
    except KeyError:
        known = ", ".join(sorted(metadata.tables))
        raise ConfigError(f"unknown canonical entity {name!r}; known: {known}") from None
