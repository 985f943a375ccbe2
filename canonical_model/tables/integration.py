"""Integration tables: sync state and runs, quarantine, inbox and outbox."""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.tables.base import JSONType, UTCDateTime, metadata, utcnow

__all__ = ["inbox", "outbox", "quarantine", "sync_run_streams", "sync_runs", "sync_state"]

# Cursor state per connector × stream × partition ('' = unpartitioned). A partitioned
# stream has one row per partition and never falls back to a global cursor.
sync_state = sa.Table(
    "sync_state",
    metadata,
    sa.Column("connector", sa.String(64), primary_key=True),
    sa.Column("stream", sa.String(64), primary_key=True),
    sa.Column("partition", sa.String(200), primary_key=True, server_default=""),
    sa.Column("state", JSONType, nullable=False),
    sa.Column("sync_run_id", sa.String(36), nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
)

sync_runs = sa.Table(
    "sync_runs",
    metadata,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("connector", sa.String(64), nullable=False, index=True),
    sa.Column("mode", sa.String(16), nullable=False, comment="incremental | full_refresh"),
    sa.Column("status", sa.String(12), nullable=False, server_default="running"),
    sa.Column("trigger", sa.String(32), nullable=True, comment="cli, prefect flow run id, demo"),
    sa.Column("started_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Column("records_read", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("records_loaded", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("records_rejected", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("records_deleted", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("error", sa.Text, nullable=True, comment="typed error, never a secret"),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed', 'partial')", name="status"),
)

sync_run_streams = sa.Table(
    "sync_run_streams",
    metadata,
    sa.Column(
        "run_id", sa.String(36), sa.ForeignKey("sync_runs.run_id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("stream", sa.String(64), primary_key=True),
    sa.Column("status", sa.String(12), nullable=False, server_default="running"),
    sa.Column("records_read", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("records_loaded", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("records_rejected", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("records_deleted", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("batches", sa.Integer, nullable=False, server_default="0"),
    sa.Column("seconds_read", sa.Float, nullable=False, server_default="0"),
    sa.Column("seconds_map", sa.Float, nullable=False, server_default="0"),
    sa.Column("seconds_load", sa.Float, nullable=False, server_default="0"),
    sa.Column("schema_drift", JSONType, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(36), nullable=True, index=True),
    sa.Column("connector", sa.String(64), nullable=False),
    sa.Column("stream", sa.String(64), nullable=False),
    sa.Column(
        "rule", sa.String(100), nullable=False, comment="the failing rule: required:sku, cast:on_hand, ..."
    ),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("record_key", sa.String(255), nullable=True),
    sa.Column("source_offset", sa.String(255), nullable=True, comment="file:line, page, offset"),
    sa.Column("raw", JSONType, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="open"),
    sa.Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.Column("resolved_at", UTCDateTime(), nullable=True),
    sa.Column("resolved_run_id", sa.String(36), nullable=True),
    sa.Index("ix_quarantine_lookup", "connector", "stream", "status"),
    sa.CheckConstraint("status IN ('open', 'replayed', 'discarded')", name="status"),
)

# Webhooks as received, deduplicated by the provider's event id; processed separately.
inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("connector", sa.String(64), primary_key=True),
    sa.Column("event_id", sa.String(128), primary_key=True),
    sa.Column("event_type", sa.String(64), nullable=True),
    sa.Column("received_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.Column("headers", JSONType, nullable=True, comment="signature headers removed"),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="received", index=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("processed_at", UTCDateTime(), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.CheckConstraint("status IN ('received', 'processed', 'failed', 'ignored')", name="status"),
)

# Messages to external systems (e.g. approved orders to the ERP), written in the same
# transaction as the change that causes them and drained by a flow.
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("message_id", sa.String(64), primary_key=True, comment="also the idempotency key sent out"),
    sa.Column("target", sa.String(64), nullable=False, comment="connector name"),
    sa.Column("kind", sa.String(32), nullable=False, comment="submit_order, ..."),
    sa.Column("entity_key", sa.String(64), nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="pending", index=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("external_ref", sa.String(64), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("target", "kind", "entity_key"),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'dead')", name="status"),
)
