"""CSV files, parsed with Python's ``csv`` module in strict mode, chunk by chunk.

Not pandas' C parser: ``csv`` tells each record's line (quoted line breaks included), and
lines with too many or too few fields or broken quoting become rows marked malformed here —
pandas would pad short lines with NaN, skip long ones with only a warning, or stop the file.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TextIO

import numpy as np
import pandas as pd

from connectors.errors import FatalConnectorError
from connectors.file_drop._rows import Chunk, clip, header_columns, marked
from connectors.file_drop.client import SYSTEM

__all__ = ["csv_chunks"]

_KEEP_LINES = 512  # lines of text remembered for showing a malformed record


class _Tap:
    """Lines passed on to the parser; the last few are remembered to show a malformed record."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.recent: deque[str] = deque(maxlen=_KEEP_LINES)

    def __iter__(self) -> _Tap:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.recent.append(line)
        return line

    def text(self, count: int) -> str:
        """The last ``count`` lines, as one text."""
        lines = list(self.recent)[-count:] if count > 0 else []
        return clip("".join(lines).rstrip("\r\n"))


def csv_chunks(
    handle: TextIO, file_name: str, *, delimiter: str, chunk_rows: int, after_line: int
) -> Iterator[Chunk]:
    """Chunks of the rows of an open CSV file (text mode, ``newline=""``)."""
    tap = _Tap(handle)
    reader = csv.reader(tap, delimiter=delimiter, strict=True)
    columns = _header(reader, file_name)
    if columns is None:
        return  # an empty file, or blank lines only
    previous_end = reader.line_num
    while True:
        records, broken = _pull(reader, tap, chunk_rows, previous_end, len(columns))
        if not records:
            return
        end_line = reader.line_num
        if end_line > after_line:
            chunk = _chunk(records, broken, columns, previous_end, end_line, after_line, delimiter)
            if chunk is not None:
                yield chunk
        previous_end = end_line


def _header(reader: Iterator[list[str]], file_name: str) -> list[str] | None:
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise FatalConnectorError(
                f"{SYSTEM}: {file_name}: the header line cannot be read: broken quoting ({exc})",
                system=SYSTEM,
            ) from exc
        if any(field.strip() for field in record):
            return header_columns(record, file_name)


def _pull(
    reader: Any, tap: _Tap, count: int, previous_end: int, width: int
) -> tuple[list[tuple[str, ...]], dict[int, tuple[int, str]]]:
    """Up to ``count`` records, parsed in C; a record with broken quoting becomes an empty row
    listed in ``broken`` as (lines it spans, why + its text)."""
    records: list[tuple[str, ...]] = []
    broken: dict[int, tuple[int, str]] = {}
    while len(records) < count:
        wanted = count - len(records)
        try:
            # Tuples, not the parser's lists: a tuple of strings drops out of the garbage collector's
            # sight, so holding a chunk of them does not make every collection walk them (2x faster).
            records.extend(map(tuple, islice(reader, wanted)))  # keeps what it read if the parser raises
        except csv.Error as exc:
            start = previous_end + sum(_span(record) for record in records) + 1
            for position, (span, _reason) in broken.items():
                start += span - _span(records[position])
            span = reader.line_num - start + 1
            broken[len(records)] = (span, f"broken quoting ({exc}): {tap.text(span)}")
            records.append(("",) * width)
            continue
        if len(records) < count:
            break  # end of file
    return records, broken


def _span(record: tuple[str, ...]) -> int:
    """Physical lines a record took: one, plus the line breaks inside its quoted fields."""
    extra = 0
    for field in record:
        if "\n" in field or "\r" in field:
            extra += field.count("\n") + field.count("\r") - field.count("\r\n")
    return 1 + extra


def _chunk(
    records: list[tuple[str, ...]],
    broken: dict[int, tuple[int, str]],
    columns: list[str],
    previous_end: int,
    end_line: int,
    after_line: int,
    delimiter: str,
) -> Chunk | None:
    n, width = len(records), len(columns)
    if end_line - previous_end == n:  # one line per record: the usual case, no per-record work
        start = np.arange(previous_end + 1, previous_end + 1 + n, dtype=np.int64)
        end = start
    else:
        spans = np.fromiter(map(_span, records), dtype=np.int64, count=n)
        for position, (span, _reason) in broken.items():
            spans[position] = span
        end = previous_end + np.cumsum(spans)
        start = end - spans + 1
    keep = start > after_line
    problems = {position: reason for position, (_span_, reason) in broken.items()}
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=n)
    for position in np.flatnonzero(lengths != width).tolist():
        record = records[position]
        if not record:
            keep[position] = False  # a blank line
        elif len(record) > width and not any(field.strip() for field in record[width:]):
            records[position] = record[:width]  # trailing empty fields (an Excel habit): nothing lost
        else:
            text = clip(delimiter.join(record))
            problems[position] = f"{len(record)} fields where the header has {width}: {text}"
            records[position] = (*record, *("",) * (width - len(record)))[:width]
    if not keep.any():
        return None
    frame = marked(pd.DataFrame(records, columns=columns, dtype=object), start, problems)
    if not keep.all():
        frame = frame.loc[keep].reset_index(drop=True)
    return Chunk(frame, int(start[keep][0]), int(end[keep][-1]))
