"""The ``logistics-sf`` source."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import httpx

from connectors.contract import HubStream
from connectors.http_source import HttpSource
from connectors.logistics_sf.client import SfClient
from connectors.logistics_sf.spec import SfConfig
from connectors.tracking import TrackCache, TrackingEventsStream, WaybillsStream

__all__ = ["SfSource"]


class SfSource(HttpSource[SfConfig, SfClient]):
    """顺丰 route query: ``waybills`` and ``tracking_events``.

    ``transport`` routes the HTTP client elsewhere (a sandbox in tests and demos); ``sleep``
    replaces the retry waits; ``clock`` (epoch seconds) stamps the requests.
    """

    spec_model = SfConfig
    connector_name = "logistics-sf"
    documentation_url = "https://open.sf-express.com/"

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(transport=transport, sleep=sleep)
        self._clock = clock

    def client(self, config: SfConfig) -> SfClient:
        """A client for ``config``."""
        return SfClient(config, transport=self._transport, sleep=self._sleep, clock=self._clock)

    def probe(self, client: SfClient, config: SfConfig) -> None:
        """Query the first waybill's routes: proves the partner ID and checkword are accepted."""
        first = config.waybills[0]
        client.search_routes([first.number], phone=first.phone)

    def hub_streams(self, config: SfConfig) -> Sequence[HubStream]:
        """``[waybills, tracking_events]``, sharing one query per 10 waybills."""
        cache = TrackCache(self.client(config), config.waybills)
        return [WaybillsStream(cache), TrackingEventsStream(cache)]
