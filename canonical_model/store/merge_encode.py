"""Canonical text for bulk merges: one encoding feeds the payload hash, COPY and SQLite binds.

Every value of a batch becomes the text PostgreSQL would read for its column type
(``12.5`` for a decimal, ``2025-01-31`` for a date, ``2025-01-31T02:00:00.000000+00:00``
for a timestamp in UTC, sorted compact JSON for a JSON column). The payload hash is taken
over that text, so the same data hashes the same whether it arrived as a DataFrame or as
dicts, as ``Decimal('1.50')`` or ``1.5``, on either backend. Work is vectorised per
column; only object columns of mixed or unusual values fall back to one call per value.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from uuid import UUID

import numpy as np
import pandas as pd
import sqlalchemy as sa
from pandas.api import types as ptypes

from canonical_model.errors import ConfigError, ValidationError

__all__ = ["ColumnKind", "canonical_text", "column_kind", "json_safe", "to_frame"]

ColumnKind = Literal["str", "int", "float", "decimal", "bool", "date", "datetime", "json"]

_PLAIN_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")


def column_kind(column: sa.Column[Any]) -> ColumnKind:
    """How values of ``column`` are encoded; ``ConfigError`` for a type the merge cannot load."""
    col_type: Any = column.type
    if isinstance(col_type, sa.TypeDecorator):
        col_type = col_type.impl_instance
    checks: tuple[tuple[type[Any], ColumnKind], ...] = (
        (sa.JSON, "json"),
        (sa.Boolean, "bool"),
        (sa.Float, "float"),
        (sa.Numeric, "decimal"),
        (sa.Integer, "int"),
        (sa.DateTime, "datetime"),
        (sa.Date, "date"),
        (sa.String, "str"),
    )
    for sa_type, kind in checks:
        if isinstance(col_type, sa_type):
            if kind == "datetime" and not col_type.timezone:
                break
            return kind
    raise ConfigError(f"column {column.table.name}.{column.name} of type {column.type} cannot be bulk-merged")


def to_frame(rows: pd.DataFrame | Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The rows as a DataFrame with a fresh 0..n-1 index; dicts keep their Python values exactly."""
    if isinstance(rows, pd.DataFrame):
        return rows.reset_index(drop=True)
    # dtype=object: a column of big ints with a None must not turn into lossy floats.
    return pd.DataFrame(list(rows), dtype=object)


def canonical_text(column: sa.Column[Any], kind: ColumnKind, values: pd.Series[Any]) -> pd.Series[Any]:
    """The canonical text of every value (object Series; ``None`` where the value is null)."""
    mask = values.isna().to_numpy()
    out = pd.Series(np.full(len(values), None, dtype=object), index=values.index, dtype=object)
    present = values[~mask]
    if len(present):
        try:
            text = _ENCODERS[kind](present)
        except (ValueError, TypeError, InvalidOperation, OverflowError) as exc:
            raise ValidationError(f"column {column.table.name}.{column.name}: {exc}") from exc
        length = getattr(column.type, "length", None) if kind == "str" else None
        if length is not None and max(map(len, text.tolist())) > length:
            # PostgreSQL refuses what SQLite would silently keep: refuse it on both.
            longest = max(text.tolist(), key=len)
            raise ValidationError(
                f"column {column.table.name}.{column.name}: {len(longest)} characters, at most {length} fit: "
                f"{longest[:40]!r}"
            )
        out[~mask] = text.to_numpy(dtype=object)
    return out


def _per_value(values: pd.Series[Any], func: Callable[[Any], str]) -> pd.Series[Any]:
    return pd.Series([func(v) for v in values], index=values.index, dtype=object)


def _per_distinct(values: pd.Series[Any], func: Callable[[Any], str]) -> pd.Series[Any]:
    """``func`` once per distinct value: a snapshot repeats its dates, times and quantities.

    Only for values whose equal ones have equal canonical text (strings; dates and aware
    datetimes, which compare by the instant): ``True == 1`` must never share a result.
    """
    codes, distinct = pd.factorize(values.to_numpy(dtype=object))
    texts = np.array([func(v) for v in distinct], dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype=object)


def _str_text(values: pd.Series[Any]) -> pd.Series[Any]:
    return values.astype(str)


def _int_text(values: pd.Series[Any]) -> pd.Series[Any]:
    if ptypes.is_bool_dtype(values):
        raise ValueError("booleans given for an integer column")
    if ptypes.is_integer_dtype(values):
        return values.astype(str)
    if ptypes.is_float_dtype(values):
        arr = values.to_numpy(dtype=float)
        if not (np.isfinite(arr) & (arr == np.floor(arr))).all():
            raise ValueError("non-integral numbers given for an integer column")
        return pd.Series(arr.astype(np.int64), index=values.index).astype(str)
    return _per_value(values, _one_int)


def _one_int(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"boolean {value!r} given for an integer column")
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | Decimal | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return str(int(value))
    raise ValueError(f"{value!r} is not an integer")


def _float_text(values: pd.Series[Any]) -> pd.Series[Any]:
    if not ptypes.is_numeric_dtype(values) or ptypes.is_bool_dtype(values):
        values = pd.Series([float(v) for v in values], index=values.index)
    return values.astype(float).astype(str)


def _decimal_text(values: pd.Series[Any]) -> pd.Series[Any]:
    if ptypes.is_bool_dtype(values):
        raise ValueError("booleans given for a decimal column")
    if ptypes.is_integer_dtype(values):
        return values.astype(str)
    if ptypes.is_float_dtype(values):
        return _float_decimal_text(values)
    # Decimals, strings, mixed: str() then one cheap normalisation per value.
    return _per_distinct(values.astype(str), _plain_decimal)


def _float_decimal_text(values: pd.Series[Any]) -> pd.Series[Any]:
    # Floats go through their shortest repr (0.1 -> "0.1"), never their binary expansion.
    arr = values.to_numpy(dtype=float)
    if not np.isfinite(arr).all():
        raise ValueError("infinite number given for a decimal column")
    integral = arr == np.floor(arr)
    text = arr.astype(str).astype(object)
    big = np.abs(arr) < 2.0**53
    whole = integral & big
    text[whole] = arr[whole].astype(np.int64).astype(str)
    # repr switches to exponent notation outside [1e-4, 1e16): rewrite those few exactly.
    odd = ~whole & ((np.abs(arr) >= 1e16) | ((arr != 0) & (np.abs(arr) < 1e-4)))
    if odd.any():
        text[odd] = [_plain_decimal(str(v)) for v in arr[odd].tolist()]
    text[text == "-0"] = "0"
    return pd.Series(text, index=values.index, dtype=object)


def _plain_decimal(text: str) -> str:
    """``text`` as a plain decimal without exponent or trailing zeros ('1.50' -> '1.5', '1E+2' -> '100')."""
    if not _PLAIN_DECIMAL.fullmatch(text):
        number = Decimal(text.strip())
        if not number.is_finite():
            raise ValueError(f"{text!r} is not a finite decimal")
        text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _bool_text(values: pd.Series[Any]) -> pd.Series[Any]:
    if ptypes.is_bool_dtype(values):
        return pd.Series(np.where(values.to_numpy(dtype=bool), "t", "f"), index=values.index)
    return _per_value(values, _one_bool)


_BOOL_WORDS = {
    "t": "t",
    "true": "t",
    "1": "t",
    "y": "t",
    "yes": "t",
    "f": "f",
    "false": "f",
    "0": "f",
    "n": "f",
    "no": "f",
}


def _one_bool(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "t" if value else "f"
    if isinstance(value, int | np.integer) and value in (0, 1):
        return "t" if value else "f"
    if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
        return _BOOL_WORDS[value.strip().lower()]
    raise ValueError(f"{value!r} is not a boolean")


def _date_text(values: pd.Series[Any]) -> pd.Series[Any]:
    if ptypes.is_datetime64_any_dtype(values):
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_localize(None)  # the date where the timestamp was taken
        days = values.to_numpy(dtype="datetime64[D]")
        return pd.Series(np.datetime_as_string(days), index=values.index)
    inferred = ptypes.infer_dtype(values, skipna=False)
    if inferred == "date":
        return _per_distinct(values, str)
    if inferred == "string":
        return _per_distinct(values, _one_date)  # strings are parsed: a bad date fails on both backends
    return _per_value(values, _one_date)


def _one_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return str(np.datetime_as_string(value, unit="D"))
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return datetime.fromisoformat(text).date().isoformat()
    raise ValueError(f"{value!r} is not a date")


def _datetime_text(values: pd.Series[Any]) -> pd.Series[Any]:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        micros = values.dt.tz_convert(UTC).dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
        text = np.char.add(np.datetime_as_string(micros, unit="us"), "+00:00")
        return pd.Series(text, index=values.index).astype(object)
    if ptypes.is_datetime64_dtype(values):
        raise ValueError("naive datetimes given: the store only accepts aware datetimes")
    if ptypes.infer_dtype(values, skipna=False) in ("string", "datetime"):
        return _per_distinct(values, _one_datetime)
    return _per_value(values, _one_datetime)


def _one_datetime(value: Any) -> str:
    stamp = datetime.fromisoformat(value.strip()) if isinstance(value, str) else value
    if not isinstance(stamp, datetime):
        raise ValueError(f"{value!r} is not a timestamp")
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: the store only accepts aware datetimes")
    utc = stamp.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "+00:00"


def _json_text(values: pd.Series[Any]) -> pd.Series[Any]:
    def dump(value: Any) -> str:
        return json.dumps(
            json_safe(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )

    return _per_value(values, dump)


_ENCODERS: dict[ColumnKind, Callable[[pd.Series[Any]], pd.Series[Any]]] = {
    "str": _str_text,
    "int": _int_text,
    "float": _float_text,
    "decimal": _decimal_text,
    "bool": _bool_text,
    "date": _date_text,
    "datetime": _datetime_text,
    "json": _json_text,
}


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON data: Decimal → str, dates → ISO text, bytes → repr, NaN/NaT → null."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return repr(bytes(value))
    if isinstance(value, UUID):
        return str(value)
    return str(value)
