"""The ``oracle-ebs`` source."""

from __future__ import annotations

from collections.abc import Sequence

from connectors.contract import HubStream
from connectors.http_source import HttpSource
from connectors.oracle_ebs.client import EbsClient
from connectors.oracle_ebs.spec import OracleEbsConfig
from connectors.oracle_ebs.streams import CustomersStream, ItemsStream

__all__ = ["OracleEbsSource"]


class OracleEbsSource(HttpSource[OracleEbsConfig, EbsClient]):
    """Customer accounts and items from EBS over SOAP (Integrated SOA Gateway).

    ``transport`` routes HTTP elsewhere (the sandbox in tests and demos); ``sleep`` replaces
    the waits between retries.
    """

    spec_model = OracleEbsConfig
    connector_name = "oracle-ebs"
    documentation_url = "https://docs.oracle.com/cd/E26401_01/doc.122/e20927/toc.htm"

    def client(self, config: OracleEbsConfig) -> EbsClient:
        """A client for ``config`` on this source's transport."""
        return EbsClient(config, transport=self._transport, sleep=self._sleep)

    def probe(self, client: EbsClient, config: OracleEbsConfig) -> None:
        """Read one customer: proves the endpoint, the WS-Security user and the read service."""
        client.ping()

    def hub_streams(self, config: OracleEbsConfig) -> Sequence[HubStream]:
        """``[customers, items]``."""
        client = self.client(config)
        return [
            CustomersStream(client, start_date=config.start_date),
            ItemsStream(client, organization_id=config.item_organization_id, start_date=config.start_date),
        ]
