"""The ``sap-rfc`` source."""

from __future__ import annotations

from collections.abc import Sequence

from connectors.contract import HubSource, HubStream
from connectors.sap_rfc.availability import AvailabilityStream
from connectors.sap_rfc.client import SapRfcClient
from connectors.sap_rfc.rfc import ConnectionFactory
from connectors.sap_rfc.spec import SapRfcConfig
from connectors.sap_rfc.streams import (
    CustomersStream,
    MaterialGroupsStream,
    MaterialsStream,
    MaterialUnitsStream,
    PlantStockStream,
)

__all__ = ["SapRfcSource"]


class SapRfcSource(HubSource[SapRfcConfig]):
    """Customers, materials and stock of an SAP ABAP system over RFC (pyrfc).

    ``connection_factory`` replaces pyrfc's ``Connection`` (tests and the demo pass a
    sandbox's ``connect``); without it, ``sandbox: true`` in the config uses the built-in
    demo sandbox and anything else a real pyrfc connection (the ``[sap-rfc]`` extra).
    """

    spec_model = SapRfcConfig
    connector_name = "sap-rfc"

    def __init__(self, *, connection_factory: ConnectionFactory | None = None) -> None:
        super().__init__()
        self._connection_factory = connection_factory

    def client(self, config: SapRfcConfig) -> SapRfcClient:
        """A client for ``config`` on this source's connection factory."""
        return SapRfcClient(config, connection_factory=self._connection_factory)

    def check_config(self, config: SapRfcConfig) -> None:
        """Log on and read one KNA1 row."""
        self.client(config).ping()

    def hub_streams(self, config: SapRfcConfig) -> Sequence[HubStream]:
        """customers, material_groups, materials, material_units, plant_stock (+ availability)."""
        client = self.client(config)
        streams: list[HubStream] = [
            CustomersStream(client),
            MaterialGroupsStream(client),
            MaterialsStream(client),
            MaterialUnitsStream(client),
            PlantStockStream(client),
        ]
        if config.availability:
            streams.append(AvailabilityStream(client))
        return streams
