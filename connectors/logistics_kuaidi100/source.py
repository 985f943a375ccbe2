"""The ``logistics-kuaidi100`` source."""

from __future__ import annotations

from collections.abc import Sequence

from connectors.contract import HubStream
from connectors.http_source import HttpSource
from connectors.logistics_kuaidi100.client import Kuaidi100Client
from connectors.logistics_kuaidi100.spec import Kuaidi100Config
from connectors.tracking import TrackCache, TrackingEventsStream, WaybillsStream

__all__ = ["Kuaidi100Source"]


class Kuaidi100Source(HttpSource[Kuaidi100Config, Kuaidi100Client]):
    """快递100 tracking: ``waybills`` and ``tracking_events``.

    ``transport`` routes the HTTP client elsewhere (a sandbox in tests and demos); ``sleep``
    replaces the retry waits.
    """

    spec_model = Kuaidi100Config
    connector_name = "logistics-kuaidi100"
    documentation_url = "https://api.kuaidi100.com/document/"

    def client(self, config: Kuaidi100Config) -> Kuaidi100Client:
        """A client for ``config`` (also what the subscribe flow uses)."""
        return Kuaidi100Client(config, transport=self._transport, sleep=self._sleep)

    def probe(self, client: Kuaidi100Client, config: Kuaidi100Config) -> None:
        """Query the first waybill: proves the customer, key and signature are accepted."""
        client.query(config.waybills[0])

    def hub_streams(self, config: Kuaidi100Config) -> Sequence[HubStream]:
        """``[waybills, tracking_events]``, sharing one query per waybill."""
        cache = TrackCache(self.client(config), config.waybills)
        return [WaybillsStream(cache), TrackingEventsStream(cache)]
