"""Shipments, their lines and carrier status events (normalised, original code kept)."""

from __future__ import annotations

from typing import Literal, get_args

import sqlalchemy as sa

from canonical_model.tables.base import QTY, UTCDateTime, lineage_columns, metadata

__all__ = ["SHIPMENT_EVENT_CODES", "ShipmentEventCode", "shipment_events", "shipment_lines", "shipments"]

# One vocabulary for every carrier; connectors map 快递100 states / 顺丰 opCodes onto it.
ShipmentEventCode = Literal[
    "created",
    "picked_up",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "exception",
    "returned",
    "cancelled",
]
SHIPMENT_EVENT_CODES: tuple[str, ...] = get_args(ShipmentEventCode)

shipments = sa.Table(
    "shipments",
    metadata,
    sa.Column("shipment_no", sa.String(40), primary_key=True),
    sa.Column("order_no", sa.String(40), nullable=True, index=True),
    sa.Column("location_code", sa.String(32), nullable=True, comment="shipping warehouse"),
    sa.Column("carrier_code", sa.String(32), nullable=True),
    sa.Column("waybill_no", sa.String(64), nullable=True),
    sa.Column("status", sa.String(20), nullable=False, server_default="created"),
    sa.Column("shipped_at", UTCDateTime(), nullable=True),
    sa.Column("delivered_at", UTCDateTime(), nullable=True),
    sa.Column("eta", UTCDateTime(), nullable=True),
    *lineage_columns(),
    sa.UniqueConstraint("carrier_code", "waybill_no"),
)

shipment_lines = sa.Table(
    "shipment_lines",
    metadata,
    sa.Column(
        "shipment_no",
        sa.String(40),
        sa.ForeignKey("shipments.shipment_no", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("order_line_no", sa.Integer, nullable=True),
    sa.Column("sku", sa.String(40), nullable=False),
    sa.Column("lot", sa.String(40), nullable=False, server_default=""),
    sa.Column("qty", QTY, nullable=False),
    sa.Column("accepted_qty", QTY, nullable=True, comment="what the dealer signed for"),
    *lineage_columns(),
)

shipment_events = sa.Table(
    "shipment_events",
    metadata,
    sa.Column(
        "shipment_no",
        sa.String(40),
        sa.ForeignKey("shipments.shipment_no", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("event_time", UTCDateTime(), primary_key=True),
    sa.Column("carrier_status_code", sa.String(16), primary_key=True, comment="the carrier's own code"),
    sa.Column("status", sa.String(20), nullable=False, comment="canonical event code"),
    sa.Column("description", sa.String(500), nullable=True),
    sa.Column("location", sa.String(200), nullable=True),
    *lineage_columns(),
)
