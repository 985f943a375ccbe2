"""Read one CSV, XLSX or JSON-lines file as chunks of text rows, in bounded memory.

Every chunk is a DataFrame of text (the file's columns; the mapping casts) plus two columns:

- ``_line``: where the row starts in the file — physical line for CSV and JSON lines (the
  header is line 1, quoted line breaks counted), sheet row for XLSX;
- ``_malformed``: empty, or why the line could not be split into the header's columns, with
  the line's text. The mapping rejects such rows, so they land in quarantine and are counted
  as read: a bad line never stops the file and is never silently dropped.

Trailing empty fields beyond the header (``a,b,c,,``, an Excel habit) are ignored; blank
lines are skipped; empty and header-only files give no rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePath

from connectors.errors import FatalConnectorError
from connectors.file_drop._csv import csv_chunks
from connectors.file_drop._jsonl import jsonl_chunks
from connectors.file_drop._rows import LINE, MALFORMED, RESERVED, Chunk
from connectors.file_drop._xlsx import xlsx_chunks
from connectors.file_drop.client import SYSTEM
from connectors.file_drop.encoding import TextEncoding

__all__ = ["KINDS", "LINE", "MALFORMED", "RESERVED", "Chunk", "file_kind", "read_chunks"]

KINDS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
CUT_SHORT = "the file ends in the middle of a character: it was cut short while being written or copied"


def file_kind(name: str) -> str:
    """``csv``, ``xlsx`` or ``jsonl`` by the file's suffix; FatalConnectorError for anything else."""
    kind = KINDS.get(PurePath(name).suffix.lower())
    if kind is None:
        known = ", ".join(sorted(KINDS))
        raise FatalConnectorError(
            f"{SYSTEM}: {name}: unsupported file type (known: {known}); narrow the stream's pattern",
            system=SYSTEM,
        )
    return kind


def read_chunks(
    path: Path,
    kind: str,
    *,
    file_name: str,
    encoding: TextEncoding | None,
    delimiter: str = ",",
    chunk_rows: int = 50_000,
    after_line: int = 0,
) -> Iterator[Chunk]:
    """Chunks of at most ``chunk_rows`` rows of ``path``, without rows starting at or before ``after_line``.

    ``encoding`` is needed for CSV and JSON lines (see :func:`~.encoding.resolve_encoding`).
    The final chunk has ``last=True`` (the reader looks one chunk ahead). When the file was
    cut short inside a character, its final row is marked malformed.
    """
    if kind == "xlsx":
        chunks = xlsx_chunks(path, file_name, chunk_rows=chunk_rows, after_line=after_line)
    elif encoding is None:
        raise ValueError(f"a {kind} file needs an encoding")
    else:
        chunks = _text_chunks(path, kind, file_name, encoding, delimiter, chunk_rows, after_line)
    pending: Chunk | None = None
    for chunk in chunks:
        if pending is not None:
            yield pending
        pending = chunk
    if pending is None:
        return
    frame = pending.frame
    if encoding is not None and encoding.cut_short:
        malformed = frame[MALFORMED].to_numpy(dtype=object, copy=True)
        malformed[-1] = CUT_SHORT
        frame[MALFORMED] = malformed
    yield Chunk(frame, pending.first_line, pending.last_line, last=True)


def _text_chunks(
    path: Path,
    kind: str,
    file_name: str,
    encoding: TextEncoding,
    delimiter: str,
    chunk_rows: int,
    after_line: int,
) -> Iterator[Chunk]:
    try:
        with path.open(encoding=encoding.codec, errors=encoding.errors, newline="") as handle:
            if kind == "csv":
                yield from csv_chunks(
                    handle, file_name, delimiter=delimiter, chunk_rows=chunk_rows, after_line=after_line
                )
            else:
                yield from jsonl_chunks(handle, file_name, chunk_rows=chunk_rows, after_line=after_line)
    except UnicodeDecodeError as exc:  # the file changed after its encoding was checked
        raise FatalConnectorError(
            f"{SYSTEM}: cannot decode {file_name}: {exc.reason}", system=SYSTEM
        ) from exc
    except OSError as exc:
        raise FatalConnectorError(
            f"{SYSTEM}: cannot read {file_name}: {exc.strerror or exc}", system=SYSTEM
        ) from exc
