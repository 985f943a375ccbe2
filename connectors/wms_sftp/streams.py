"""Streams of ``wms-sftp``: inventory, shipments, shipment_lines, trace_codes, receipts.

Each reads the files of one kind in ``out_dir`` (oldest first), each file once, in chunks of
rows; every batch carries the stream state after it (see :mod:`connectors.wms_sftp.files`),
so the sync engine commits rows and "how far" together. A file's rows and its *done* mark
are committed in one transaction; a crash in between re-reads nothing that was committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from canonical_model.errors import ConfigError
from connectors.contract import Batch, HubStream, Page
from connectors.file_drop.readers import LINE, MALFORMED
from connectors.file_drop.selection import Settling
from connectors.sftp import RemoteFile
from connectors.state import Lookback
from connectors.wms_sftp import shapes
from connectors.wms_sftp.client import DropBox
from connectors.wms_sftp.files import ArchiveLedger, FilesState, list_ready
from connectors.wms_sftp.reading import ReadSettings, read_chunks
from connectors.wms_sftp.spec import SYSTEM

__all__ = [
    "InventoryStream",
    "ReceiptsStream",
    "ShipmentLinesStream",
    "ShipmentsStream",
    "StreamContext",
    "TraceCodesStream",
    "WmsFileStream",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamContext:
    """What every stream of one source instance shares."""

    open_box: Callable[[], DropBox]
    out_dir: str
    patterns: Mapping[str, str]
    """File kind (inventory, shipments, receipts) → file-name pattern."""
    reading: ReadSettings
    settling: Settling
    ledger: ArchiveLedger
    company_prefix_length: int = 7


def _schema(columns: tuple[str, ...]) -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,  # files may carry more columns: the mapping reports drift
        "properties": {
            **{name: text for name in columns},
            shapes.FILE: {"type": "string", "description": "the file the row came from"},
            LINE: {"type": "integer", "description": "line of the file the row starts on; header = 1"},
            MALFORMED: {"type": "string", "description": "why the line could not be split, or empty"},
        },
    }


class WmsFileStream(HubStream):
    """Rows of the files of one kind; subclasses set the kind, columns and shape."""

    kind: ClassVar[str]
    file_columns: ClassVar[tuple[str, ...]]
    columns: ClassVar[tuple[str, ...]]
    cursor_field: ClassVar[str | list[str]] = shapes.FILE  # files are the unit of progress
    cursor_type = "string"

    def __init__(self, context: StreamContext) -> None:
        super().__init__()
        self._context = context
        context.ledger.expect(self.kind, self.name)

    def shape(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The stream's rows from a chunk of the file: by default the rows as they are, extra
        columns included (the mapping reports them as drift)."""
        return frame

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """Pages of every unread file (the state-aware path is :meth:`read_batches`)."""
        for batch in self.read_batches(None):
            yield Page(batch.frame, batch.source_offset)

    def read_batches(
        self, stream_state: Mapping[str, Any] | None = None, *, lookback: Lookback = None
    ) -> Iterator[Batch]:
        """Batches of the files not read yet, each with the state after it.

        Files the committed ``stream_state`` lists as done may be archived first (when every
        stream of their kind has them). A lookback has no meaning for files and is refused.
        """
        if lookback:
            raise ConfigError(f"{SYSTEM}/{self.name}: a lookback does not apply to files (each is read once)")
        state = FilesState.load(stream_state)
        box = self._context.open_box()
        try:
            self._context.ledger.register(self.kind, self.name, state.done, box)
            files, present = list_ready(
                box,
                self._context.out_dir,
                self._context.patterns[self.kind],
                self._context.settling,
                stream=self.name,
            )
            state.prune(present)
            unsent = False
            for file in files:
                if state.is_done(file):
                    continue
                for batch in self._file_batches(box, file, state):
                    unsent = batch is None
                    if batch is not None:
                        yield batch
                    del batch  # not held while the next chunk is built: memory stays at one chunk
                if not state.is_done(file):
                    state.finish(file)
                    unsent = True
            if unsent:  # the last file(s) gave no rows: their done mark still has to be committed
                yield Batch(self.name, self._empty(), state.dump(), "done marks")
        finally:
            box.close()

    def _file_batches(self, box: DropBox, file: RemoteFile, state: FilesState) -> Iterator[Batch | None]:
        resume = state.resume_point(file)
        if resume is not None:
            logger.info("%s: resuming %s at line %d", self.name, file.name, resume.line + 1)
        for chunk, position in read_chunks(box, file, self._context.reading, resume=resume):
            frame = chunk.frame
            for name in self.file_columns:
                if name not in frame.columns:  # e.g. no lot column in a warehouse that tracks none
                    frame[name] = ""
            frame.insert(0, shapes.FILE, file.name)
            if position.offset >= file.size:
                state.finish(file)
            else:
                state.progress(file, position)
            rows = self.shape(frame)
            offset = f"{file.name}:lines={chunk.first_line}-{chunk.last_line}"
            yield None if rows.empty else Batch(self.name, rows, state.dump(), offset)
            del chunk, frame, rows  # not held while the next chunk is built

    def _empty(self) -> pd.DataFrame:
        frame = pd.DataFrame({name: pd.Series(dtype=object) for name in (*self.columns, *shapes.LINEAGE)})
        frame[LINE] = frame[LINE].astype("int64")
        return frame


class InventoryStream(WmsFileStream):
    """``inventory``: stock per warehouse × SKU × lot from ``inv_*.csv`` snapshots."""

    name = "inventory"
    kind = "inventory"
    primary_key: ClassVar[str | list[str]] = ["warehouse_code", "sku", "lot"]
    file_columns = shapes.INVENTORY_COLUMNS
    columns = shapes.INVENTORY_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = _schema(shapes.INVENTORY_COLUMNS)


class ReceiptsStream(WmsFileStream):
    """``receipts``: goods received, from ``rcv_*.csv``."""

    name = "receipts"
    kind = "receipts"
    primary_key: ClassVar[str | list[str]] = ["receipt_no", "line_no"]
    file_columns = shapes.RECEIPT_COLUMNS
    columns = shapes.RECEIPT_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = _schema(shapes.RECEIPT_COLUMNS)


class _ShipmentFileStream(WmsFileStream):
    kind = "shipments"
    file_columns = shapes.SHIPMENT_FILE_COLUMNS


class ShipmentsStream(_ShipmentFileStream):
    """``shipments``: one row per shipment confirmed in ``shp_*.csv``."""

    name = "shipments"
    primary_key: ClassVar[str | list[str]] = "shipment_no"
    columns = shapes.SHIPMENT_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = _schema(shapes.SHIPMENT_COLUMNS)

    def shape(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One row per shipment of the chunk."""
        return shapes.shipments(frame)


class ShipmentLinesStream(_ShipmentFileStream):
    """``shipment_lines``: one row per shipment line."""

    name = "shipment_lines"
    primary_key: ClassVar[str | list[str]] = ["shipment_no", "line_no"]
    columns = shapes.SHIPMENT_LINE_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = _schema(shapes.SHIPMENT_LINE_COLUMNS)

    def shape(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One row per shipment line of the chunk."""
        return shapes.shipment_lines(frame)


class TraceCodesStream(_ShipmentFileStream):
    """``trace_codes``: each scanned item bound to its carton, order and dealer, and each carton."""

    name = "trace_codes"
    primary_key: ClassVar[str | list[str]] = "code"
    columns = shapes.TRACE_CODE_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = _schema(shapes.TRACE_CODE_COLUMNS)

    def shape(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Item and carton codes of the chunk, as EPC URNs."""
        return shapes.trace_codes(frame, self._context.company_prefix_length)
