"""The ``tms`` source."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import httpx

from connectors.contract import HubStream
from connectors.http_source import HttpSource
from connectors.tms.client import WAYBILLS_PATH, TmsClient
from connectors.tms.spec import TmsConfig
from connectors.tms.streams import VehiclePositionsStream, WaybillsStream

__all__ = ["TmsSource"]


class TmsSource(HttpSource[TmsConfig, TmsClient]):
    """G7/易流-style TMS: ``waybills`` and ``vehicle_positions``.

    ``transport`` routes the HTTP client elsewhere (a sandbox in tests and demos); ``sleep``
    replaces the retry waits; ``now`` stamps (and so signs) the requests.
    """

    spec_model = TmsConfig
    connector_name = "tms"

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(transport=transport, sleep=sleep)
        self._now = now

    def client(self, config: TmsConfig) -> TmsClient:
        """A client for ``config``."""
        return TmsClient(config, transport=self._transport, sleep=self._sleep, now=self._now)

    def probe(self, client: TmsClient, config: TmsConfig) -> None:
        """Read one page of waybills: proves the key, the secret and the clock are accepted."""
        client.page(WAYBILLS_PATH, since_param="update_time_from", since=config.start_time, page_no=1)

    def hub_streams(self, config: TmsConfig) -> Sequence[HubStream]:
        """``[waybills, vehicle_positions]``."""
        client = self.client(config)
        return [WaybillsStream(client), VehiclePositionsStream(client)]
