"""The ``sap-odata`` source."""

from __future__ import annotations

from collections.abc import Sequence

from connectors.contract import HubStream
from connectors.http_source import HttpSource
from connectors.sap_odata.client import SapODataClient
from connectors.sap_odata.spec import SapODataConfig
from connectors.sap_odata.streams import SalesOrdersStream

__all__ = ["SapODataSource"]


class SapODataSource(HttpSource[SapODataConfig, SapODataClient]):
    """Sales orders of an S/4HANA system through ``API_SALES_ORDER_SRV`` (OData V2).

    ``transport`` routes the HTTP client elsewhere (tests and the demo pass
    ``httpx.MockTransport(sandbox.handle)``); without it, ``sandbox: true`` uses the built-in
    demo sandbox and anything else the network.
    """

    spec_model = SapODataConfig
    connector_name = "sap-odata"

    def client(self, config: SapODataConfig) -> SapODataClient:
        """A client for ``config`` on this source's transport."""
        return SapODataClient(config, transport=self._transport, sleep=self._sleep)

    def probe(self, client: SapODataClient, config: SapODataConfig) -> None:
        """Read one order (proves host, credentials and authorization)."""
        client.entities("A_SalesOrder", {"$top": 1, "$select": "SalesOrder"})

    def hub_streams(self, config: SapODataConfig) -> Sequence[HubStream]:
        """``[sales_orders]``."""
        return [SalesOrdersStream(lambda: self.client(config))]

    def order_documents(self, config: SapODataConfig) -> SalesOrdersStream:
        """Whole sales orders (headers with ``$expand=to_Item``), for the ``erp-orders`` flow."""
        return SalesOrdersStream(lambda: self.client(config), with_items=True)
