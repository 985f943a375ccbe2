"""DataFrame rows as JSON-native dicts: the Airbyte record path of a batch.

==============================  =========================================
pandas / numpy / Python value   JSON-native value
==============================  =========================================
NaN, NaT, None, pd.NA           None
numpy integers / floats / bool  int / float / bool
Timestamp, datetime             ISO-8601 string (aware values in UTC)
Timedelta                       ISO-8601 duration
date, time                      ISO-8601 string
Decimal                         string (lossless; declare the field as a string)
bytes                           base64 string
dict / list / tuple / ndarray   dict / list, converted recursively
==============================  =========================================
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["frame_to_records", "json_native"]


def frame_to_records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """Each row of ``frame`` as a dict of JSON-native values, in order."""
    columns = [str(column) for column in frame.columns]
    for row in frame.itertuples(index=False, name=None):
        yield {column: json_native(value) for column, value in zip(columns, row, strict=True)}


def json_native(value: Any) -> Any:
    """``value`` converted to what ``json.dumps`` writes without loss or surprise."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else json_native(pd.Timestamp(value))
    if isinstance(value, np.timedelta64):
        return None if np.isnat(value) else pd.Timedelta(value).isoformat()
    if isinstance(value, np.generic):
        return json_native(value.item())
    if isinstance(value, pd.Timedelta):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, datetime):  # includes pd.Timestamp
        if value is pd.NaT or pd.isna(value):
            return None
        stamp = pd.Timestamp(value)
        return (stamp.tz_convert("UTC") if stamp.tzinfo is not None else stamp).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return None if value.is_nan() else str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return {str(key): json_native(item) for key, item in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [json_native(item) for item in value]
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)
