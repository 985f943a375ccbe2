"""What a canonical column can hold, as the mapping engine sees it: its *kind* and limits.

A kind is the value family a mapped field produces (``string``, ``int``, ``decimal``,
``date``, ``datetime``, ``bool``, ``json``); the spec's ``cast`` defaults to the kind of the
target column, so most fields need no ``cast`` at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

import sqlalchemy as sa

from canonical_model.tables import ExactDecimal, metadata

__all__ = [
    "CASTS",
    "COMPATIBLE_CASTS",
    "STORE_OWNED_COLUMNS",
    "Cast",
    "ColumnInfo",
    "Rounding",
    "column_info",
    "table_columns",
]

Cast = Literal["string", "int", "decimal", "date", "datetime", "bool", "json"]
CASTS: tuple[Cast, ...] = get_args(Cast)
Rounding = Literal["half_up", "half_even", "down", "up", "reject"]

# Which explicit ``cast`` fits a column of each kind (an ``int`` read into a decimal
# column is fine; a date into a string column is a spec error, not a silent str()).
COMPATIBLE_CASTS: dict[Cast, frozenset[Cast]] = {
    "string": frozenset({"string"}),
    "int": frozenset({"int"}),
    "decimal": frozenset({"decimal", "int"}),
    "date": frozenset({"date"}),
    "datetime": frozenset({"datetime"}),
    "bool": frozenset({"bool"}),
    "json": frozenset({"json"}),
}

# Lineage the store writes itself; a spec may set source_system/source_key, not these.
STORE_OWNED_COLUMNS = frozenset({"sync_run_id", "payload_hash", "created_at", "updated_at", "deleted_at"})

_INT_BITS = ((sa.SmallInteger, 16), (sa.BigInteger, 64), (sa.Integer, 32))


@dataclass(frozen=True)
class ColumnInfo:
    """One canonical column: kind, nullability, default and size limits."""

    name: str
    kind: Cast
    nullable: bool
    has_default: bool
    primary_key: bool
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    int_bits: int | None = None

    @property
    def needs_value(self) -> bool:
        """True when a row cannot be stored without a value for this column."""
        return not self.nullable and not self.has_default


def column_info(column: sa.Column[Any]) -> ColumnInfo:
    """The ``ColumnInfo`` of a SQLAlchemy column of the canonical model."""
    col_type = column.type
    length = precision = scale = bits = None
    kind: Cast
    if isinstance(col_type, ExactDecimal):
        kind, precision, scale = "decimal", col_type.precision, col_type.scale
    elif isinstance(col_type, sa.Boolean):
        kind = "bool"
    elif isinstance(col_type, sa.DateTime) or (
        isinstance(col_type, sa.TypeDecorator) and isinstance(col_type.impl_instance, sa.DateTime)
    ):
        kind = "datetime"
    elif isinstance(col_type, sa.Date):
        kind = "date"
    elif isinstance(col_type, sa.Integer):
        kind = "int"
        bits = next(b for cls, b in _INT_BITS if isinstance(col_type, cls))
    elif isinstance(col_type, sa.Float):
        kind = "decimal"
    elif isinstance(col_type, sa.Numeric):
        kind, precision, scale = "decimal", col_type.precision, col_type.scale
    elif isinstance(col_type, sa.String):
        kind, length = "string", col_type.length
    else:
        kind = "json"
    has_default = column.server_default is not None or column.default is not None
    return ColumnInfo(
        name=column.name,
        kind=kind,
        nullable=bool(column.nullable) and not column.primary_key,
        has_default=has_default,
        primary_key=column.primary_key,
        length=length,
        precision=precision,
        scale=scale,
        int_bits=bits,
    )


def table_columns(entity: str) -> dict[str, ColumnInfo] | None:
    """The columns of canonical table ``entity`` in table order, or ``None`` if unknown."""
    found = metadata.tables.get(entity)
    if found is None:
        return None
    return {col.name: column_info(col) for col in found.columns}
