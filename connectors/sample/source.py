"""The ``sample`` source."""

from __future__ import annotations

from collections.abc import Sequence

from connectors.contract import HubSource, HubStream
from connectors.sample.client import SampleApi
from connectors.sample.spec import SampleConfig
from connectors.sample.streams import ItemsStream

__all__ = ["SampleSource"]


class SampleSource(HubSource[SampleConfig]):
    """In-memory source with one incremental stream, ``items``."""

    spec_model = SampleConfig
    connector_name = "sample"

    def check_config(self, config: SampleConfig) -> None:
        """The key must be accepted."""
        self._api(config).authenticate()

    def hub_streams(self, config: SampleConfig) -> Sequence[HubStream]:
        """``[items]``."""
        return [ItemsStream(self._api(config), page_size=config.page_size)]

    @staticmethod
    def _api(config: SampleConfig) -> SampleApi:
        return SampleApi(count=config.count, api_key=config.api_key.get_secret_value())
