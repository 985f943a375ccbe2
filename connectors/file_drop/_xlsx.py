"""XLSX workbooks: the first sheet, streamed row by row with openpyxl's read-only mode."""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.errors import FatalConnectorError
from connectors.file_drop._rows import Chunk, clip, header_columns, marked
from connectors.file_drop.client import SYSTEM

__all__ = ["cell_text", "xlsx_chunks"]


def xlsx_chunks(path: Path, file_name: str, *, chunk_rows: int, after_line: int) -> Iterator[Chunk]:
    """Chunks of the first sheet's rows; lines are sheet rows, the header is the first non-empty one."""
    import openpyxl  # lazily: only XLSX files need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; none of that is data.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FatalConnectorError(
            f"{SYSTEM}: {file_name} is not a readable XLSX workbook ({type(exc).__name__}: {exc})",
            system=SYSTEM,
        ) from exc
    try:
        sheet_rows = enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
        columns: list[str] | None = None
        for _number, values in sheet_rows:
            texts = [cell_text(value) for value in values]
            if any(text.strip() for text in texts):
                columns = header_columns(texts, file_name)
                break
        if columns is None:
            return
        width = len(columns)
        rows: list[list[str]] = []
        lines: list[int] = []
        problems: dict[int, str] = {}
        for number, values in sheet_rows:
            texts = [cell_text(value) for value in values]
            if number <= after_line or not any(text.strip() for text in texts):
                continue
            if len(texts) > width and any(text.strip() for text in texts[width:]):
                shown = clip(",".join(texts).rstrip(","))
                problems[len(rows)] = f"{len(texts)} cells where the header has {width}: {shown}"
            rows.append((texts + [""] * (width - len(texts)))[:width])
            lines.append(number)
            if len(rows) >= chunk_rows:
                yield _chunk(rows, lines, problems, columns)
                rows, lines, problems = [], [], {}
        if rows:
            yield _chunk(rows, lines, problems, columns)
    finally:
        book.close()


def _chunk(rows: list[list[str]], lines: list[int], problems: dict[int, str], columns: list[str]) -> Chunk:
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    return Chunk(marked(frame, lines, problems), lines[0], lines[-1])


def cell_text(value: Any) -> str:
    """A cell's value as the text a CSV export of the sheet would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
