"""Date and datetime casts: vectorised, strict about invalid dates, UTC out.

Datetimes: a value carrying an offset (``...+08:00``, ``...Z``) is converted from it; a
naive value is read in the field's ``timezone`` (default UTC). Both kinds may appear in
one column: they are parsed separately, because pandas would silently give the naive
ones the offset of the others. Dates beyond pandas' nanosecond range (SAP's
``9999-12-31`` "valid forever") are read through Arrow, still refusing ``2024-02-30``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

from mappings.text import clean_text
from mappings.vec import Mask, Vec, placeholder

__all__ = ["UNIX_FORMATS", "cast_date", "cast_datetime"]

UNIX_FORMATS = {"unix": "s", "unix_ms": "ms"}
_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_NAT = np.datetime64("NaT", "ns")
Failures = list[tuple[Mask, str]]


def cast_datetime(series: pd.Series[Any], formats: Sequence[str], timezone: str) -> tuple[Vec, Failures]:
    """Parse to UTC instants (``datetime64[ns]``); naive values are local time in ``timezone``."""
    if ptypes.is_datetime64_any_dtype(series.dtype):
        null = np.asarray(series.isna(), dtype=bool)
        stamps = series if series.dt.tz is not None else _localize(series, timezone)
        values = _utc_naive(stamps)
        bad = ~null & np.isnat(values)
        return _dt_vec(values, null | bad), [(bad, f"is not a valid local time in {timezone}")]
    text = clean_text(series)
    null = np.asarray(text.isna(), dtype=bool)
    values = np.full(len(text), _NAT, dtype="datetime64[ns]")
    for fmt in formats or ("ISO8601",):
        todo = np.flatnonzero(~null & np.isnat(values))
        if not len(todo):
            break
        values[todo] = _parse_datetimes(text.iloc[todo], fmt, timezone)
    bad = ~null & np.isnat(values)
    return _dt_vec(values, null | bad), [(bad, f"is not a datetime{_expected(formats, 'ISO 8601')}")]


def cast_date(series: pd.Series[Any], formats: Sequence[str], timezone: str) -> tuple[Vec, Failures]:
    """Parse calendar dates (``datetime.date``); an aware timestamp gives its date in ``timezone``."""
    n = len(series)
    values = np.empty(n, dtype=object)
    values[:] = placeholder("date")
    if ptypes.is_datetime64_any_dtype(series.dtype):
        null = np.asarray(series.isna(), dtype=bool)
        local = series.dt.tz_convert(timezone) if series.dt.tz is not None else series
        values[~null] = local[~null].dt.date.to_numpy(dtype=object)
        return Vec(values, null), []
    text = clean_text(series)
    null = np.asarray(text.isna(), dtype=bool)
    done = np.zeros(n, dtype=bool)
    for fmt in formats or ("%Y-%m-%d",):
        todo = np.flatnonzero(~null & ~done)
        if not len(todo):
            break
        got, dates = _parse_dates(text.iloc[todo], fmt)
        values[todo[got]] = dates[got]
        done[todo[got]] = True
    bad = ~null & ~done
    return Vec(values, null | bad), [(bad, f"is not a date{_expected(formats, 'YYYY-MM-DD')}")]


def _expected(formats: Sequence[str], default: str) -> str:
    return f" (expected {' or '.join(formats) if formats else default})"


def _parse_datetimes(part: pd.Series[Any], fmt: str, timezone: str) -> npt.NDArray[np.datetime64]:
    if fmt in UNIX_FORMATS:
        numbers = pd.to_numeric(part, errors="coerce")
        try:
            stamps = pd.to_datetime(numbers, unit=UNIX_FORMATS[fmt], utc=True, errors="coerce")
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            return np.full(len(part), _NAT, dtype="datetime64[ns]")
        return _utc_naive(stamps)
    if fmt == "ISO8601":
        aware = np.asarray(part.str.contains(_OFFSET, regex=True).fillna(False), dtype=bool)
    else:
        aware = np.full(len(part), "%z" in fmt or "%Z" in fmt, dtype=bool)
    out = np.full(len(part), _NAT, dtype="datetime64[ns]")
    if aware.any():
        out[aware] = _to_datetime(part[aware], fmt, utc=True)
    if (~aware).any():
        local = pd.to_datetime(pd.Series(_to_datetime(part[~aware], fmt, utc=False)))
        out[~aware] = _utc_naive(_localize(local, timezone))
    return out


def _to_datetime(part: pd.Series[Any], fmt: str, *, utc: bool) -> npt.NDArray[np.datetime64]:
    try:
        stamps = pd.to_datetime(part, format=fmt, utc=utc, errors="coerce")
    except (ValueError, TypeError, re.error, pd.errors.OutOfBoundsDatetime):  # e.g. offsets we missed
        return np.full(len(part), _NAT, dtype="datetime64[ns]")
    if getattr(stamps.dt, "tz", None) is not None:
        if not utc:  # an offset slipped into the "naive" group: refuse rather than guess
            return np.full(len(part), _NAT, dtype="datetime64[ns]")
        return _utc_naive(stamps)
    return np.asarray(stamps.to_numpy(dtype="datetime64[ns]"))


def _localize(stamps: pd.Series[Any], timezone: str) -> pd.Series[Any]:
    return stamps.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")


def _utc_naive(stamps: pd.Series[Any]) -> npt.NDArray[np.datetime64]:
    return np.asarray(stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]"))


def _dt_vec(values: npt.NDArray[np.datetime64], null: Mask) -> Vec:
    values = values.copy()
    values[null] = np.datetime64(0, "ns")
    return Vec(values, null)


def _parse_dates(part: pd.Series[Any], fmt: str) -> tuple[Mask, npt.NDArray[np.object_]]:
    dates = np.empty(len(part), dtype=object)
    try:
        stamps = pd.to_datetime(part, format=fmt, errors="coerce")
        got = np.asarray(stamps.notna(), dtype=bool)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        dates[got] = stamps[got].dt.date.to_numpy(dtype=object)
    except (ValueError, TypeError, re.error, pd.errors.OutOfBoundsDatetime):
        got = np.zeros(len(part), dtype=bool)
    if fmt != "ISO8601" and not got.all():
        # Beyond 2262 (pandas' nanosecond limit): Arrow parses, the round trip refuses Feb 30.
        rest = np.flatnonzero(~got)
        arrow_got, arrow_dates = _parse_dates_arrow(part.iloc[rest], fmt)
        dates[rest[arrow_got]] = arrow_dates[arrow_got]
        got[rest[arrow_got]] = True
    return got, dates


def _parse_dates_arrow(part: pd.Series[Any], fmt: str) -> tuple[Mask, npt.NDArray[np.object_]]:
    text = pa.array(part.to_numpy(dtype=object), type=pa.string())
    try:
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        same = pc.equal(pc.strftime(parsed, format=fmt), text)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return np.zeros(len(part), dtype=bool), np.empty(len(part), dtype=object)
    got = np.asarray(pc.fill_null(same, False).to_numpy(zero_copy_only=False), dtype=bool)
    dates = np.asarray(pc.cast(parsed, pa.date32()).to_pandas(date_as_object=True), dtype=object)
    return got, dates


def is_date(value: object) -> bool:
    """True for a ``datetime.date`` that is not a ``datetime`` (used when checking spec values)."""
    return isinstance(value, date) and not hasattr(value, "hour")
