"""The ``oracle-ebs`` source."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import httpx

from connectors.contract import HubSource, HubStream
from connectors.oracle_ebs.client import EbsClient
from connectors.oracle_ebs.spec import OracleEbsConfig
from connectors.oracle_ebs.streams import CustomersStream, ItemsStream

__all__ = ["OracleEbsSource"]


class OracleEbsSource(HubSource[OracleEbsConfig]):
    """Customer accounts and items from EBS over SOAP (Integrated SOA Gateway).

    ``transport`` routes HTTP elsewhere (the sandbox in tests and demos); ``sleep`` replaces
    the waits between retries.
    """

    spec_model = OracleEbsConfig
    connector_name = "oracle-ebs"
    documentation_url = "https://docs.oracle.com/cd/E26401_01/doc.122/e20927/toc.htm"

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self._transport = transport
        self._sleep = sleep

    def check_config(self, config: OracleEbsConfig) -> None:
        """Read one customer: proves the endpoint, the WS-Security user and the read service."""
        client = self._client(config)
        try:
            client.ping()
        finally:
            client.close()

    def hub_streams(self, config: OracleEbsConfig) -> Sequence[HubStream]:
        """``[customers, items]``."""
        client = self._client(config)
        return [
            CustomersStream(client, start_date=config.start_date),
            ItemsStream(client, organization_id=config.item_organization_id, start_date=config.start_date),
        ]

    def _client(self, config: OracleEbsConfig) -> EbsClient:
        return EbsClient(config, transport=self._transport, sleep=self._sleep)
