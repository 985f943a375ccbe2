"""The ``wms-sftp`` source."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from connectors.contract import HubSource, HubStream
from connectors.errors import FatalConnectorError
from connectors.file_drop.selection import Settling
from connectors.wms_sftp.client import DropBox, open_dropbox
from connectors.wms_sftp.files import ArchiveLedger
from connectors.wms_sftp.reading import ReadSettings
from connectors.wms_sftp.spec import SYSTEM, WmsSftpConfig
from connectors.wms_sftp.streams import (
    InventoryStream,
    ReceiptsStream,
    ShipmentLinesStream,
    ShipmentsStream,
    StreamContext,
    TraceCodesStream,
    WmsFileStream,
)

__all__ = ["WmsSftpSource"]

_STREAMS: tuple[type[WmsFileStream], ...] = (
    InventoryStream,
    ShipmentsStream,  # before shipment_lines: lines refer to their shipment
    ShipmentLinesStream,
    TraceCodesStream,
    ReceiptsStream,
)


class WmsSftpSource(HubSource[WmsSftpConfig]):
    """A WMS's SFTP drop box (or a local folder): inventory, shipments with trace codes, receipts.

    ``clock`` (seconds since the epoch) and ``sleep`` drive the check for files still being
    written and the waits between reconnects. The registry calls it with no arguments.
    """

    spec_model = WmsSftpConfig
    connector_name = SYSTEM

    def __init__(
        self, *, clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._clock = clock
        self._sleep = sleep

    def check_config(self, config: WmsSftpConfig) -> None:
        """Log in (host key and credentials) and find ``out_dir``."""
        box = self.open_box(config)
        try:
            if not box.is_dir(config.out_dir):
                raise FatalConnectorError(
                    f"{SYSTEM}: out_dir {config.out_dir} is not a folder on {box.where}", system=SYSTEM
                )
        finally:
            box.close()

    def hub_streams(self, config: WmsSftpConfig) -> Sequence[HubStream]:
        """``[inventory, shipments, shipment_lines, trace_codes, receipts]``, sharing one archive ledger."""
        context = StreamContext(
            open_box=lambda: self.open_box(config),
            out_dir=config.out_dir,
            patterns=config.patterns.model_dump(),
            reading=ReadSettings(
                encoding=config.encoding,
                delimiter=config.delimiter,
                chunk_rows=config.chunk_rows,
                block_bytes=config.block_bytes,
            ),
            settling=Settling(
                seconds=config.settle_seconds,
                stale_part_seconds=config.stale_part_seconds,
                clock=self._clock,
                sleep=self._sleep,
            ),
            ledger=ArchiveLedger(out_dir=config.out_dir, archive_dir=config.archive_dir),
            company_prefix_length=config.gs1_company_prefix_length,
        )
        return [cls(context) for cls in _STREAMS]

    def open_box(self, config: WmsSftpConfig) -> DropBox:
        """A drop box for ``config`` (connects on first use; close it)."""
        return open_dropbox(config, sleep=self._sleep)
