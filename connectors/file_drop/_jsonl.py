"""JSON-lines files: one JSON object per line, chunk by chunk; values become text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

import pandas as pd

from connectors.errors import FatalConnectorError
from connectors.file_drop._rows import RESERVED, Chunk, clip, marked
from connectors.file_drop.client import SYSTEM

__all__ = ["jsonl_chunks"]


def jsonl_chunks(handle: TextIO, file_name: str, *, chunk_rows: int, after_line: int) -> Iterator[Chunk]:
    """Chunks of the objects of an open JSON-lines file; a line that is not an object is malformed."""
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    problems: dict[int, str] = {}
    for number, line in enumerate(handle, start=1):
        if number <= after_line or not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            value, reason = None, f"not JSON ({exc.msg}, column {exc.colno})"
        else:
            reason = "" if isinstance(value, dict) else f"a JSON {type(value).__name__}, not an object"
        if reason:
            problems[len(rows)] = f"{reason}: {clip(line.rstrip())}"
            rows.append({})
        else:
            rows.append(_row(value, file_name, number))
        lines.append(number)
        if len(rows) >= chunk_rows:
            yield _chunk(rows, lines, problems)
            rows, lines, problems = [], [], {}
    if rows:
        yield _chunk(rows, lines, problems)


def _row(value: dict[str, Any], file_name: str, number: int) -> dict[str, str]:
    clash = [key for key in value if key in RESERVED]
    if clash:
        raise FatalConnectorError(
            f"{SYSTEM}: {file_name}: line {number} has key {clash[0]!r}, a column the connector adds",
            system=SYSTEM,
        )
    return {str(key): _text(item) for key, item in value.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _chunk(rows: list[dict[str, str]], lines: list[int], problems: dict[int, str]) -> Chunk:
    frame = pd.DataFrame.from_records(rows).astype(object).fillna("")
    if len(frame) != len(rows):  # every line was malformed: no columns at all
        frame = pd.DataFrame(index=range(len(rows)))
    return Chunk(marked(frame, lines, problems), lines[0], lines[-1])
