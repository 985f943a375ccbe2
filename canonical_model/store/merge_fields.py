"""The forms canonical text takes on the way out: COPY fields, payload hashes, SQLite binds."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from canonical_model.store.merge_encode import ColumnKind

__all__ = ["NULL_FIELD", "copy_field", "copy_lines", "payload_hashes", "python_values"]

NULL_FIELD = "\\N"
"""NULL in PostgreSQL's COPY text format (a literal backslash-N string is escaped to ``\\\\N``)."""

_COPY_SPECIAL = ("\\", "\t", "\n", "\r")


def copy_field(kind: ColumnKind, text: pd.Series[Any]) -> pd.Series[Any]:
    """Canonical text escaped for COPY's text format, ``\\N`` for null."""
    if kind in ("str", "json"):
        # One scan of the joined column (memchr-fast) decides whether anything needs escaping.
        joined = "".join(text.dropna().tolist())
        if any(ch in joined for ch in _COPY_SPECIAL):
            text = pd.Series([_copy_escape(t) for t in text.tolist()], index=text.index, dtype=object)
    return text.fillna(NULL_FIELD)


def _copy_escape(text: str | None) -> str | None:
    if text is None:
        return None
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def payload_hashes(fields: pd.DataFrame) -> pd.Series[Any]:
    """16 hex chars per row over the (escaped) fields, columns in name order; stable across runs."""
    hashed = pd.util.hash_pandas_object(fields[sorted(fields.columns)], index=False).to_numpy()
    hexed = np.array([hashed.astype(">u8").tobytes().hex()]).view("<U16")
    return pd.Series(hexed, index=fields.index).astype(object)


def copy_lines(columns: Sequence[list[str]], start: int, stop: int) -> str:
    """Rows ``start:stop`` of per-column field lists as COPY text (tab-separated lines)."""
    parts = [col[start:stop] for col in columns]
    return "\n".join(map("\t".join, zip(*parts, strict=True))) + "\n"


def _json_value(text: str) -> Any:
    return json.loads(text)


_PY: dict[ColumnKind, Callable[[str], Any]] = {
    "str": str,
    "int": int,
    "float": float,
    "decimal": Decimal,
    "bool": lambda t: t == "t",
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
    "json": _json_value,
}


def python_values(kind: ColumnKind, text: pd.Series[Any]) -> list[Any]:
    """Bind values for SQLAlchemy from canonical text; a null JSON value is SQL NULL, not ``null``."""
    convert = _PY[kind]
    null: Any = sa.null() if kind == "json" else None
    return [null if t is None else convert(t) for t in text.tolist()]
