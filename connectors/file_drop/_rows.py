"""What every reader produces: chunks of text rows with their line and their malformed mark."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from connectors.errors import FatalConnectorError
from connectors.file_drop.client import SYSTEM

__all__ = ["LINE", "MALFORMED", "RESERVED", "Chunk", "clip", "header_columns", "marked"]

LINE = "_line"
MALFORMED = "_malformed"
#: Columns the connector adds to every row; a file may not carry columns of these names.
RESERVED = ("_file", LINE, "_cursor", MALFORMED)
_TEXT_LIMIT = 2000  # characters of a malformed line kept with it


@dataclass(frozen=True)
class Chunk:
    """Rows ``first_line``..``last_line`` of one file (``last`` marks the file's final chunk)."""

    frame: pd.DataFrame
    first_line: int
    last_line: int
    last: bool = False


def marked(
    frame: pd.DataFrame, lines: Sequence[int] | np.ndarray, problems: Mapping[int, str]
) -> pd.DataFrame:
    """``frame`` with its ``_line`` column and its ``_malformed`` column (``problems`` by row position)."""
    malformed = np.full(len(frame), "", dtype=object)
    for position, reason in problems.items():
        malformed[position] = reason
    frame[LINE] = np.asarray(lines, dtype=np.int64)
    frame[MALFORMED] = malformed
    return frame


def header_columns(fields: Sequence[str], file_name: str) -> list[str]:
    """Column names from a header row: trimmed, unnamed ones numbered; clashes are fatal."""
    columns = [field.strip().lstrip("\ufeff") or f"column_{number}" for number, field in enumerate(fields, 1)]
    # A trailing delimiter on the header line (``a,b,c,``) names no column.
    while len(columns) > 1 and not fields[len(columns) - 1].strip():
        columns.pop()
    seen: set[str] = set()
    for name in columns:
        if name in RESERVED:
            raise FatalConnectorError(
                f"{SYSTEM}: {file_name}: column {name!r} clashes with a column the connector adds "
                f"({', '.join(RESERVED)})",
                system=SYSTEM,
            )
        if name in seen:
            raise FatalConnectorError(
                f"{SYSTEM}: {file_name}: the header has column {name!r} twice", system=SYSTEM
            )
        seen.add(name)
    return columns


def clip(text: str) -> str:
    """``text``, shortened to what is worth keeping with a malformed row."""
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1] + "…"
