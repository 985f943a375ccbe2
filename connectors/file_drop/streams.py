"""Streams of the ``file-drop`` source: ``stock``, ``products`` and ``dealers``.

Each row carries the file's columns as text plus ``_file`` (the file name), ``_line`` (where
the row starts), ``_malformed`` (why the line could not be split, or empty) and ``_cursor``,
the stream's cursor: ``<change time ns, 20 digits>/<file name>/<line, 12 digits>``, or
``…/end`` on a file's last row. See :mod:`connectors.file_drop` for why.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from canonical_model.errors import ConfigError
from connectors.contract import Batch, HubStream, Page
from connectors.errors import FatalConnectorError
from connectors.file_drop.client import SYSTEM, DropFile, Folder
from connectors.file_drop.encoding import resolve_encoding
from connectors.file_drop.readers import LINE, MALFORMED, Chunk, file_kind, read_chunks
from connectors.file_drop.selection import Settling, ready_files
from connectors.state import Lookback

__all__ = [
    "CURSOR",
    "END",
    "FILE",
    "DealersStream",
    "FileStream",
    "ProductsStream",
    "Reading",
    "StockStream",
    "parse_cursor",
]

logger = logging.getLogger(__name__)

FILE = "_file"
CURSOR = "_cursor"
END = "end"
_LINE_DIGITS = 12


@dataclass(frozen=True)
class Reading:
    """How files are decoded and chunked."""

    encoding: str = "auto"
    delimiter: str = ","
    chunk_rows: int = 50_000


def parse_cursor(value: Any) -> tuple[str, int | None] | None:
    """``(file prefix, line)`` of a stored cursor (line None: the file was read to its end)."""
    if value is None:
        return None
    text = str(value)
    prefix, _, tail = text.rpartition("/")
    if not prefix or "/" not in prefix or not (tail == END or (tail.isdigit() and len(tail) == _LINE_DIGITS)):
        raise FatalConnectorError(
            f"{SYSTEM}: the saved cursor {text!r} is not a file-drop cursor; reset the stream's state",
            system=SYSTEM,
        )
    return prefix, None if tail == END else int(tail)


def file_schema(columns: tuple[str, ...]) -> dict[str, Any]:
    """The JSON schema of a stream: the file's columns as text, plus the columns the connector adds."""
    text = {"type": "string"}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,  # files may carry more columns: drift is reported by the mapping
        "properties": {
            **{name: text for name in columns},
            FILE: {"type": "string", "description": "name of the file the row came from"},
            LINE: {"type": "integer", "description": "line (XLSX: sheet row) the row starts on; header = 1"},
            MALFORMED: {"type": "string", "description": "why the line could not be split, or empty"},
            CURSOR: {"type": "string", "description": "file change time / file name / line: the cursor"},
        },
    }


class FileStream(HubStream):
    """Rows of the files matching one pattern, file by file in order of arrival, each file once."""

    cursor_field: ClassVar[str | list[str]] = CURSOR
    cursor_type = "string"
    columns: ClassVar[tuple[str, ...]] = ()

    def __init__(self, folder: Folder, *, pattern: str, reading: Reading, settling: Settling) -> None:
        super().__init__()
        self._folder = folder
        self._pattern = pattern
        self._reading = reading
        self._settling = settling

    def read_batches(
        self, stream_state: Mapping[str, Any] | None = None, *, lookback: Lookback = None
    ) -> Iterator[Batch]:
        """As :meth:`HubStream.read_batches`; a lookback has no meaning for files and is refused."""
        if lookback:
            raise ConfigError(
                f"{SYSTEM}/{self.name}: a lookback does not apply to files (each file is read once, "
                "in order of arrival); run a full refresh to read every file again"
            )
        return super().read_batches(stream_state)

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """Pages of the files from the cursor's position on (rows after ``since`` only)."""
        position = parse_cursor(since)
        after_prefix = position[0] if position else None
        files = ready_files(
            self._folder, self._pattern, after=after_prefix, settling=self._settling, stream=self.name
        )
        for file in files:
            after_line = 0
            if position is not None and file.prefix == position[0]:
                if position[1] is None:
                    continue  # read to its end last time
                after_line = position[1]
            yield from self._file_pages(file, after_line)

    def _file_pages(self, file: DropFile, after_line: int) -> Iterator[Page]:
        kind = file_kind(file.name)
        with self._folder.local_copy(file) as path:
            if not path.exists():
                logger.info("%s: %s disappeared before it was read; skipped", self.name, file.name)
                return
            encoding = None
            if kind != "xlsx":
                encoding = resolve_encoding(path, self._reading.encoding, file_name=file.name)
            chunks = read_chunks(
                path,
                kind,
                file_name=file.name,
                encoding=encoding,
                delimiter=self._reading.delimiter,
                chunk_rows=self._reading.chunk_rows,
                after_line=after_line,
            )
            for chunk in chunks:
                offset = f"{file.name}:lines={chunk.first_line}-{chunk.last_line}"
                yield Page(self._decorate(chunk, file), offset)

    def _decorate(self, chunk: Chunk, file: DropFile) -> pd.DataFrame:
        frame = chunk.frame
        for name in self._primary_key_columns():
            if name not in frame.columns:  # e.g. no lot column in a warehouse that tracks none
                frame[name] = ""
        prefix = file.prefix + "/"
        cursors = [f"{prefix}{line:0{_LINE_DIGITS}d}" for line in frame[LINE].tolist()]
        if chunk.last:
            cursors[-1] = prefix + END
        frame.insert(0, FILE, file.name)
        frame[CURSOR] = cursors
        return frame


STOCK_COLUMNS = ("warehouse_code", "sku", "lot", "on_hand", "in_transit", "expiry_date", "updated_at")
PRODUCT_COLUMNS = (
    "sku",
    "gtin",
    "name",
    "brand",
    "product_line_code",
    "base_unit",
    "case_pack",
    "order_multiple",
    "min_order_qty",
    "shelf_life_days",
    "guide_price",
    "price_floor",
    "currency",
    "status",
)
DEALER_COLUMNS = (
    "code",
    "name",
    "level",
    "parent_code",
    "status",
    "grade",
    "uscc",
    "gln",
    "region_code",
    "credit_limit",
    "currency",
    "payment_terms_days",
    "contract_required",
    "contact_name",
    "contact_phone",
    "address",
)


class StockStream(FileStream):
    """``stock``: WMS stock snapshot rows (warehouse × SKU × lot)."""

    name = "stock"
    primary_key: ClassVar[str | list[str]] = ["warehouse_code", "sku", "lot"]
    columns = STOCK_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = file_schema(STOCK_COLUMNS)


class ProductsStream(FileStream):
    """``products``: product master rows."""

    name = "products"
    primary_key: ClassVar[str | list[str]] = "sku"
    columns = PRODUCT_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = file_schema(PRODUCT_COLUMNS)


class DealersStream(FileStream):
    """``dealers``: dealer master rows."""

    name = "dealers"
    primary_key: ClassVar[str | list[str]] = "code"
    columns = DEALER_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = file_schema(DEALER_COLUMNS)
