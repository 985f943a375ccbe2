"""``Vec``: a column of values plus its null mask, the engine's internal representation.

Values are a numpy array with a harmless placeholder where the value is null, so
vectorised operations never meet ``None``. Per kind:

==========  ===============================  ===================
kind        values                           placeholder
==========  ===============================  ===================
string      object array of ``str``          ``""``
int         ``int64`` array                  ``0``
decimal     object array of ``Decimal``      ``Decimal(0)``
date        object array of ``datetime.date`` ``1970-01-01``
datetime    ``datetime64[ns]`` array (UTC)   the epoch
bool        ``bool`` array                   ``False``
json        object array                     ``None``
==========  ===============================  ===================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mappings.kinds import Cast

__all__ = ["Mask", "Vec", "placeholder", "to_output"]

Mask = npt.NDArray[np.bool_]

_PLACEHOLDERS: dict[Cast, Any] = {
    "string": "",
    "int": 0,
    "decimal": Decimal(0),
    "date": date(1970, 1, 1),
    "datetime": np.datetime64(0, "ns"),
    "bool": False,
    "json": None,
}
_DTYPES: dict[Cast, Any] = {"int": np.int64, "datetime": "datetime64[ns]", "bool": np.bool_}


def placeholder(kind: Cast) -> Any:
    """The value stored where a ``kind`` column is null."""
    return _PLACEHOLDERS[kind]


@dataclass
class Vec:
    """``values`` with ``null`` marking the missing ones (their values are placeholders)."""

    values: npt.NDArray[Any]
    null: Mask

    @classmethod
    def full(cls, kind: Cast, value: Any, n: int) -> Vec:
        """``n`` copies of internal scalar ``value`` (``None`` gives an all-null column)."""
        if value is None:
            return cls.nulls(kind, n)
        values = np.empty(n, dtype=_DTYPES.get(kind, object))
        values.fill(value)  # fill(), not [:] =, so a JSON list stays one value per row
        return cls(values, np.zeros(n, dtype=bool))

    @classmethod
    def nulls(cls, kind: Cast, n: int) -> Vec:
        """An all-null column of ``kind``."""
        values = np.empty(n, dtype=_DTYPES.get(kind, object))
        values[:] = _PLACEHOLDERS[kind]
        return cls(values, np.ones(n, dtype=bool))

    def with_nulls(self, kind: Cast, extra: Mask) -> Vec:
        """A copy where ``extra`` rows are null too (placeholders written there)."""
        null = self.null | extra
        values = self.values.copy()
        values[extra] = _PLACEHOLDERS[kind]
        return Vec(values, null)

    def fill(self, mask: Mask, value: Any) -> Vec:
        """A copy with ``value`` written (and not null) where ``mask`` is set."""
        values = self.values.copy()
        filler = np.empty(int(mask.sum()), dtype=values.dtype)
        filler.fill(value)
        values[mask] = filler
        return Vec(values, self.null & ~mask)


def to_output(vec: Vec, kind: Cast) -> pd.Series[Any]:
    """Python objects for the store: ``str``, ``int``, ``Decimal``, ``date``, aware UTC ``datetime``,
    ``bool`` or JSON values, with ``None`` where null."""
    if kind == "datetime":
        values = pd.DatetimeIndex(vec.values).tz_localize("UTC").to_pydatetime()
    else:
        values = vec.values.astype(object)
    values[vec.null] = None
    return pd.Series(values, dtype=object)
