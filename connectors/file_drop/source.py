"""The ``file-drop`` source."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import httpx

from canonical_model.errors import ConfigError
from connectors.contract import HubSource, HubStream
from connectors.file_drop.client import Folder, HttpFolder, LocalFolder
from connectors.file_drop.selection import Settling
from connectors.file_drop.spec import FileDropConfig
from connectors.file_drop.streams import DealersStream, ProductsStream, Reading, StockStream

__all__ = ["FileDropSource"]


class FileDropSource(HubSource[FileDropConfig]):
    """CSV, XLSX and JSON-lines files from a folder or an http(s) location: stock, products, dealers.

    ``clock`` (seconds since the epoch) and ``sleep`` drive the check for files still being
    written; ``transport`` routes HTTP to a test double. The registry calls it with no arguments.
    """

    spec_model = FileDropConfig
    connector_name = "file-drop"

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._transport = transport

    def check_config(self, config: FileDropConfig) -> None:
        """The folder (or URL) can be listed."""
        self.folder(config).list_files()

    def hub_streams(self, config: FileDropConfig) -> Sequence[HubStream]:
        """``[stock, products, dealers]``."""
        folder = self.folder(config)
        reading = Reading(encoding=config.encoding, delimiter=config.delimiter, chunk_rows=config.chunk_rows)
        settling = Settling(
            seconds=config.settle_seconds,
            stale_part_seconds=config.stale_part_seconds,
            clock=self._clock,
            sleep=self._sleep,
        )
        patterns = config.patterns
        return [
            StockStream(folder, pattern=patterns.stock, reading=reading, settling=settling),
            ProductsStream(folder, pattern=patterns.products, reading=reading, settling=settling),
            DealersStream(folder, pattern=patterns.dealers, reading=reading, settling=settling),
        ]

    def folder(self, config: FileDropConfig) -> Folder:
        """Where ``config`` says the files are."""
        if config.url is not None:
            token = config.token.get_secret_value() if config.token is not None else None
            return HttpFolder(config.url, token=token, sleep=self._sleep, transport=self._transport)
        if config.path is None:  # pragma: no cover - the config model requires path or url
            raise ConfigError(f"{self.name}: give path or url")
        return LocalFolder(config.path)
