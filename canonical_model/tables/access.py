"""Who may call the hub's HTTP API: API keys bound to a brand role or to one dealer."""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.tables.base import UTCDateTime, metadata, utcnow

__all__ = ["api_keys"]

# Only a hash of the secret is stored; the full key is shown once, when it is created.
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("key_id", sa.String(16), primary_key=True, comment="public part of the key"),
    sa.Column("secret_hash", sa.String(64), nullable=False, comment="sha256 of the secret part"),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("dealer_code", sa.String(32), sa.ForeignKey("dealers.code"), nullable=True, index=True),
    sa.Column("label", sa.String(100), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.CheckConstraint("role IN ('brand_admin', 'brand_channel', 'dealer')", name="role"),
    sa.CheckConstraint("(role = 'dealer') = (dealer_code IS NOT NULL)", name="dealer_role_has_dealer"),
)
