"""Shared metadata, column types and the lineage columns every imported row carries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

__all__ = [
    "MONEY",
    "QTY",
    "RATE",
    "ExactDecimal",
    "JSONType",
    "UTCDateTime",
    "lineage_columns",
    "metadata",
    "utcnow",
]

# Deterministic constraint names, so Alembic migrations can drop them by name on both
# PostgreSQL and SQLite (batch mode).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware now in UTC (the only clock the store uses)."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite has no timezone type: values are normalised to UTC before they are written
    and tagged UTC when read, so both databases return the same instant.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store only accepts aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ExactDecimal(sa.TypeDecorator[Decimal]):
    """``NUMERIC(p, s)`` on PostgreSQL; on SQLite an integer count of 10^-s units.

    SQLite has no decimal type and would round-trip money through binary floats. Storing
    scaled integers keeps values exact and keeps comparisons and SUM() exact in SQL too.
    """

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale)
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(self.precision, self.scale))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        dec = value if isinstance(value, Decimal) else Decimal(str(value))
        if dialect.name == "sqlite":
            return int(dec.scaleb(self.scale).to_integral_value())
        return dec

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale)
        return Decimal(value)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


MONEY = ExactDecimal(18, 4)
"""Amounts of money; the currency is a sibling column (ISO 4217)."""
QTY = ExactDecimal(18, 4)
"""Quantities; the unit is a sibling column or the product's base unit."""
RATE = ExactDecimal(9, 6)
"""Percentages and factors (0.125 = 12.5 %)."""

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def lineage_columns() -> list[sa.Column[Any]]:
    """Columns on every row that may come from outside: where it came from and when."""
    return [
        sa.Column("source_system", sa.String(64), nullable=True),
        sa.Column("source_key", sa.String(255), nullable=True),
        sa.Column("sync_run_id", sa.String(36), nullable=True),
        sa.Column("payload_hash", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False, default=utcnow),
        sa.Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
        # Soft delete: a full-refresh snapshot that no longer has the row marks it here.
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
    ]
