"""One-item-one-code: trace codes and trace events shaped after GS1 EPCIS 2.0."""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.tables.base import JSONType, UTCDateTime, lineage_columns, metadata

__all__ = ["trace_codes", "trace_event_epcs", "trace_events"]

trace_codes = sa.Table(
    "trace_codes",
    metadata,
    sa.Column("code", sa.String(120), primary_key=True, comment="EPC URN (sgtin or sscc)"),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("gtin", sa.String(14), nullable=True),
    sa.Column("serial", sa.String(40), nullable=True),
    sa.Column("sku", sa.String(40), nullable=True, index=True),
    sa.Column("lot", sa.String(40), nullable=True),
    sa.Column("expiry_date", sa.Date, nullable=True),
    sa.Column(
        "parent_code", sa.String(120), nullable=True, index=True, comment="the case (SSCC) it is packed in"
    ),
    sa.Column("status", sa.String(16), nullable=False, server_default="commissioned"),
    sa.Column("owner_dealer_code", sa.String(32), nullable=True, index=True),
    sa.Column("order_no", sa.String(40), nullable=True),
    sa.Column("scan_count", sa.Integer, nullable=False, server_default="0", comment="terminal scans seen"),
    *lineage_columns(),
    sa.CheckConstraint("kind IN ('item', 'case')", name="kind"),
)

trace_events = sa.Table(
    "trace_events",
    metadata,
    sa.Column("event_id", sa.String(120), primary_key=True, comment="ni:///sha-256;...?ver=CBV2.0"),
    sa.Column("event_type", sa.String(24), nullable=False),
    sa.Column("action", sa.String(8), nullable=False),
    sa.Column("biz_step", sa.String(32), nullable=True, index=True),
    sa.Column("disposition", sa.String(32), nullable=True),
    sa.Column("event_time", UTCDateTime(), nullable=False, index=True),
    sa.Column("event_time_zone_offset", sa.String(6), nullable=False, server_default="+08:00"),
    sa.Column("record_time", UTCDateTime(), nullable=True),
    sa.Column("read_point", sa.String(120), nullable=True),
    sa.Column("biz_location", sa.String(120), nullable=True),
    sa.Column("region_code", sa.String(6), nullable=True, comment="where it happened, resolved"),
    sa.Column("owning_party", sa.String(32), nullable=True, comment="dealer code from destinationList"),
    sa.Column("parent_id", sa.String(120), nullable=True),
    sa.Column("error_declaration", JSONType, nullable=True),
    sa.Column("document", JSONType, nullable=False, comment="the EPCIS 2.0 event as JSON"),
    *lineage_columns(),
    sa.CheckConstraint("action IN ('ADD', 'OBSERVE', 'DELETE')", name="action"),
)

# One row per EPC an event names (epcList, childEPCs, parentID): walking a code's history
# back to its last shipping event is an indexed lookup.
trace_event_epcs = sa.Table(
    "trace_event_epcs",
    metadata,
    sa.Column(
        "event_id",
        sa.String(120),
        sa.ForeignKey("trace_events.event_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("epc", sa.String(120), primary_key=True, index=True),
    sa.Column("role", sa.String(8), nullable=False, server_default="epc", comment="epc | parent | child"),
)
