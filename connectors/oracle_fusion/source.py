"""The ``oracle-fusion`` source."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import httpx

from connectors.contract import HubSource, HubStream
from connectors.oracle_fusion.client import FusionClient
from connectors.oracle_fusion.spec import OracleFusionConfig
from connectors.oracle_fusion.streams import SalesOrderLinesStream, SalesOrdersStream

__all__ = ["OracleFusionSource"]


class OracleFusionSource(HubSource[OracleFusionConfig]):
    """Sales orders and their lines from Fusion's ``salesOrdersForOrderHub``.

    ``transport`` routes HTTP elsewhere (the sandbox in tests and demos); ``sleep`` replaces
    the waits between retries.
    """

    spec_model = OracleFusionConfig
    connector_name = "oracle-fusion"
    documentation_url = "https://docs.oracle.com/en/cloud/saas/supply-chain-and-manufacturing/"

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self._transport = transport
        self._sleep = sleep

    def check_config(self, config: OracleFusionConfig) -> None:
        """Read one order header: proves the URL, the credentials and the REST role."""
        client = self._client(config)
        try:
            client.ping()
        finally:
            client.close()

    def hub_streams(self, config: OracleFusionConfig) -> Sequence[HubStream]:
        """``[sales_orders, sales_order_lines]``."""
        client = self._client(config)
        return [
            SalesOrdersStream(client, start_date=config.start_date),
            SalesOrderLinesStream(client, start_date=config.start_date),
        ]

    def _client(self, config: OracleFusionConfig) -> FusionClient:
        return FusionClient(config, transport=self._transport, sleep=self._sleep)
