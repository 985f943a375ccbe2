"""The ``wms-flux`` source."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import httpx

from connectors.contract import HubSource, HubStream
from connectors.wms_flux.client import FluxClient
from connectors.wms_flux.spec import FluxConfig
from connectors.wms_flux.streams import InventoryStream, ShipmentLinesStream, ShipmentsStream

__all__ = ["FluxSource"]


class FluxSource(HubSource[FluxConfig]):
    """富勒 FLUX WMS: ``inventory``, ``shipments``, ``shipment_lines``.

    ``transport`` routes the HTTP client elsewhere (a sandbox in tests and demos); ``sleep``
    replaces the retry waits.
    """

    spec_model = FluxConfig
    connector_name = "wms-flux"

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self._transport = transport
        self._sleep = sleep

    def client(self, config: FluxConfig) -> FluxClient:
        """A client for ``config``."""
        return FluxClient(config, transport=self._transport, sleep=self._sleep)

    def check_config(self, config: FluxConfig) -> None:
        """Read one inventory page of the first warehouse: proves credentials, sign and owner."""
        client = self.client(config)
        try:
            client.query_inventory(config.warehouse_ids[0], 1)
        finally:
            client.close()

    def hub_streams(self, config: FluxConfig) -> Sequence[HubStream]:
        """``[inventory, shipments, shipment_lines]``."""
        client = self.client(config)
        return [InventoryStream(client), ShipmentsStream(client), ShipmentLinesStream(client)]
