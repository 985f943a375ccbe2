"""The ``oracle-fusion`` source."""

from __future__ import annotations

from collections.abc import Sequence

from connectors.contract import HubStream
from connectors.http_source import HttpSource
from connectors.oracle_fusion.client import FusionClient
from connectors.oracle_fusion.spec import OracleFusionConfig
from connectors.oracle_fusion.streams import SalesOrderLinesStream, SalesOrdersStream

__all__ = ["OracleFusionSource"]


class OracleFusionSource(HttpSource[OracleFusionConfig, FusionClient]):
    """Sales orders and their lines from Fusion's ``salesOrdersForOrderHub``.

    ``transport`` routes HTTP elsewhere (the sandbox in tests and demos); ``sleep`` replaces
    the waits between retries.
    """

    spec_model = OracleFusionConfig
    connector_name = "oracle-fusion"
    documentation_url = "https://docs.oracle.com/en/cloud/saas/supply-chain-and-manufacturing/"

    def client(self, config: OracleFusionConfig) -> FusionClient:
        """A client for ``config`` on this source's transport."""
        return FusionClient(config, transport=self._transport, sleep=self._sleep)

    def probe(self, client: FusionClient, config: OracleFusionConfig) -> None:
        """Read one order header: proves the URL, the credentials and the REST role."""
        client.ping()

    def hub_streams(self, config: OracleFusionConfig) -> Sequence[HubStream]:
        """``[sales_orders, sales_order_lines]``."""
        client = self.client(config)
        return [
            SalesOrdersStream(client, start_date=config.start_date),
            SalesOrderLinesStream(client, start_date=config.start_date),
        ]

    def order_documents(self, config: OracleFusionConfig) -> SalesOrdersStream:
        """Whole sales orders (headers with their ``lines``), for the ``erp-orders`` flow."""
        return SalesOrdersStream(self.client(config), start_date=config.start_date, with_lines=True)
