"""order payment plan status fits partially_paid

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:04:42.042767
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite cannot ALTER a column's type in place (it copies the table); on
    # PostgreSQL this is a plain ALTER COLUMN ... TYPE.
    with op.batch_alter_table("order_payment_plan") as batch:
        batch.alter_column(
            "status", existing_type=sa.String(12), type_=sa.String(16), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("order_payment_plan") as batch:
        batch.alter_column(
            "status", existing_type=sa.String(16), type_=sa.String(12), existing_nullable=False
        )
