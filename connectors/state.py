"""Incremental cursor state that never loses rows sharing a cursor value.

A position is the highest cursor value read *and* the primary keys of the rows read at
exactly that value. The next read asks the source for ``cursor >= value`` (minus an optional
lookback), then drops only the rows it has already seen at the boundary. Rows that share
the boundary value but arrived later (or sat on the next page when a run stopped) are still
read: the failure mode Airbyte and dlt users report most, where ``cursor > value`` skips
them, cannot happen.

State layout (JSON, stored by the sync engine with the batch it belongs to)::

    {"updated_at": "2024-05-01T08:00:00+00:00", "boundary_keys": ["17", "18"]}
    {"partitions": {"D001": {"updated_at": ..., "boundary_keys": [...]}, "D002": {...}}}

Partitioned state keeps one position per partition (per dealer, per warehouse) and never
falls back to a global cursor.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd

from connectors.errors import FatalConnectorError

__all__ = [
    "BOUNDARY_KEYS",
    "PARTITIONS",
    "CursorPosition",
    "CursorTracker",
    "CursorType",
    "CursorValue",
    "Lookback",
    "dump_state",
    "load_state",
]

CursorType = Literal["datetime", "number", "string"]
CursorValue = str | int | float
Lookback = timedelta | int | float | None
BOUNDARY_KEYS = "boundary_keys"
PARTITIONS = "partitions"


@dataclass(frozen=True)
class CursorPosition:
    """How far one stream (or one partition of it) has been read."""

    value: CursorValue | None = None
    """Highest cursor value read, JSON-native (datetimes as ISO-8601 UTC strings)."""
    keys: frozenset[str] = field(default_factory=frozenset)
    """Primary keys (see :func:`key_strings`) of the rows read at exactly ``value``."""

    def to_state(self, cursor_field: str) -> dict[str, Any]:
        """This position as a JSON state object (empty when nothing was read yet)."""
        if self.value is None:
            return {}
        return {cursor_field: self.value, BOUNDARY_KEYS: sorted(self.keys)}

    @classmethod
    def from_state(cls, state: Mapping[str, Any] | None, cursor_field: str) -> CursorPosition:
        """Read a position written by :meth:`to_state` (a bare ``{cursor_field: v}`` works too)."""
        if not state or state.get(cursor_field) is None:
            return cls()
        return cls(state[cursor_field], frozenset(str(key) for key in state.get(BOUNDARY_KEYS, ())))


def load_state(
    state: Mapping[str, Any] | None, cursor_field: str, *, partitioned: bool
) -> dict[str | None, CursorPosition]:
    """Positions by partition (``None`` for an unpartitioned stream)."""
    if not partitioned:
        return {None: CursorPosition.from_state(state, cursor_field)}
    partitions = (state or {}).get(PARTITIONS) or {}
    return {str(key): CursorPosition.from_state(value, cursor_field) for key, value in partitions.items()}


def dump_state(
    positions: Mapping[str | None, CursorPosition], cursor_field: str, *, partitioned: bool
) -> dict[str, Any]:
    """The JSON state for ``positions`` (inverse of :func:`load_state`)."""
    if not partitioned:
        return positions.get(None, CursorPosition()).to_state(cursor_field)
    return {
        PARTITIONS: {
            str(key): position.to_state(cursor_field)
            for key, position in sorted(positions.items(), key=lambda item: str(item[0]))
            if position.value is not None
        }
    }


class CursorTracker:
    """Filters the pages of one read against a start position and advances the position.

    ``since`` is the lower bound to ask the source for (inclusive): the start value minus
    ``lookback``, as a ``datetime`` (aware, UTC), a number or a string by ``cursor_type``.
    Rows inside the lookback window are read again on purpose (late-arriving rows); the sync
    engine's merge makes re-reading an unchanged row a no-op.
    """

    def __init__(
        self,
        *,
        cursor_field: str,
        cursor_type: CursorType,
        primary_key: Sequence[str],
        start: CursorPosition,
        lookback: Lookback = None,
        stream: str = "stream",
    ) -> None:
        self.stream = stream
        if not primary_key:
            raise ValueError("an incremental stream needs a primary key to deduplicate its boundary rows")
        self.cursor_field = cursor_field
        self.cursor_type = cursor_type
        self.primary_key = list(primary_key)
        self.position = start
        self.since: Any = None
        if start.value is not None:
            self.since = _subtract(_typed_scalar(start.value, cursor_type), lookback, cursor_type)
            if isinstance(self.since, pd.Timestamp):
                self.since = self.since.to_pydatetime()

    def admit(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` not read before; advances :attr:`position` past them.

        Drops rows below ``since`` and rows already read at the current boundary value. Rows
        with a null cursor are kept but never move the position.
        """
        if frame.empty:
            return frame
        if self.cursor_field not in frame.columns:
            raise FatalConnectorError(
                f"{self.stream}: the source sent rows without the cursor column {self.cursor_field!r}",
                system=self.stream,
            )
        try:
            cursor = typed_series(frame[self.cursor_field], self.cursor_type)
        except (ValueError, TypeError) as exc:
            raise FatalConnectorError(
                f"{self.stream}: cursor column {self.cursor_field!r} holds a value that is not a "
                f"{self.cursor_type}: {exc}",
                system=self.stream,
            ) from exc
        known = cursor.notna().to_numpy()
        keep = np.ones(len(frame), dtype=bool)
        if self.since is not None:
            below = (cursor < _typed_scalar(self.since, self.cursor_type)).fillna(False).to_numpy(dtype=bool)
            keep &= ~(known & below)
        position = self.position
        if position.value is not None and position.keys:
            at_value = (
                (cursor == _typed_scalar(position.value, self.cursor_type)).fillna(False).to_numpy(dtype=bool)
            )
            at_value &= known & keep
            if at_value.any():
                rows = np.flatnonzero(at_value)
                seen = key_strings(frame.iloc[rows], self.primary_key).isin(position.keys).to_numpy()
                keep[rows[seen]] = False
        advancing = np.flatnonzero(keep & known)
        self._advance(frame.iloc[advancing], cursor.iloc[advancing])
        return frame.iloc[np.flatnonzero(keep)]

    def _advance(self, rows: pd.DataFrame, cursor: pd.Series[Any]) -> None:
        if cursor.empty:
            return
        top = cursor.max()
        at_top = np.flatnonzero((cursor == top).to_numpy(dtype=bool))
        keys = frozenset(key_strings(rows.iloc[at_top], self.primary_key))
        current = self.position
        current_top = None if current.value is None else _typed_scalar(current.value, self.cursor_type)
        if current_top is None or top > current_top:
            self.position = CursorPosition(json_cursor(top), keys)
        elif top == current_top:
            self.position = CursorPosition(current.value, current.keys | keys)


def key_strings(frame: pd.DataFrame, primary_key: Sequence[str]) -> pd.Series[Any]:
    """One string per row identifying it by primary key (JSON list for composite keys)."""
    if len(primary_key) == 1:
        return frame[primary_key[0]].astype(str)
    columns = [frame[name].astype(str) for name in primary_key]
    return pd.Series([json.dumps(list(values)) for values in zip(*columns, strict=True)], index=frame.index)


def typed_series(series: pd.Series[Any], cursor_type: CursorType) -> pd.Series[Any]:
    """Cursor values as comparable pandas values (UTC timestamps, numbers or strings)."""
    if cursor_type == "datetime":
        if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(series.dtype):
            return pd.to_datetime(series, utc=True)
        return pd.to_datetime(series, utc=True, format="ISO8601")
    if cursor_type == "number":
        return pd.to_numeric(series)
    return series.astype("string")


def _typed_scalar(value: Any, cursor_type: CursorType) -> Any:
    if cursor_type == "datetime":
        stamp = pd.Timestamp(value)
        return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    if cursor_type == "number":
        return value if isinstance(value, int | float) else float(value)
    return str(value)


def _subtract(value: Any, lookback: Lookback, cursor_type: CursorType) -> Any:
    if not lookback:
        return value
    if cursor_type == "datetime":
        if not isinstance(lookback, timedelta):
            raise ValueError("a datetime cursor needs a timedelta lookback")
        return value - lookback
    if cursor_type == "number":
        if isinstance(lookback, timedelta):
            raise ValueError("a number cursor needs a numeric lookback")
        return value - lookback
    raise ValueError("a string cursor has no order to look back along")


def json_cursor(value: Any) -> CursorValue:
    """A cursor value as JSON-native state (ISO-8601 UTC for datetimes)."""
    if isinstance(value, datetime):  # pd.Timestamp included
        stamp = pd.Timestamp(value)
        utc = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return str(utc.isoformat())
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)
