"""The ``wms-flux`` source."""

from __future__ import annotations

from collections.abc import Sequence

from connectors.contract import HubStream
from connectors.http_source import HttpSource
from connectors.wms_flux.client import FluxClient
from connectors.wms_flux.spec import FluxConfig
from connectors.wms_flux.streams import InventoryStream, ShipmentLinesStream, ShipmentsStream

__all__ = ["FluxSource"]


class FluxSource(HttpSource[FluxConfig, FluxClient]):
    """富勒 FLUX WMS: ``inventory``, ``shipments``, ``shipment_lines``.

    ``transport`` routes the HTTP client elsewhere (a sandbox in tests and demos); ``sleep``
    replaces the retry waits.
    """

    spec_model = FluxConfig
    connector_name = "wms-flux"

    def client(self, config: FluxConfig) -> FluxClient:
        """A client for ``config``."""
        return FluxClient(config, transport=self._transport, sleep=self._sleep)

    def probe(self, client: FluxClient, config: FluxConfig) -> None:
        """Read one inventory page of the first warehouse: proves credentials, sign and owner."""
        client.query_inventory(config.warehouse_ids[0], 1)

    def hub_streams(self, config: FluxConfig) -> Sequence[HubStream]:
        """``[inventory, shipments, shipment_lines]``."""
        client = self.client(config)
        return [InventoryStream(client), ShipmentsStream(client), ShipmentLinesStream(client)]
