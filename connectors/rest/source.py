"""The ``rest`` source: a generic paginated JSON-over-HTTP API."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import closing
from typing import Any

import httpx

from connectors.contract import HubSource, HubStream
from connectors.rest.client import RestApi
from connectors.rest.spec import RestConfig
from connectors.rest.streams import RestStream, stream_class

__all__ = ["RestSource"]


class RestSource(HubSource[RestConfig]):
    """Streams described by config (default: the demo sandbox's products, dealers and stock).

    ``transport`` routes HTTP elsewhere (``connectors.rest.sandbox.sandbox_transport`` in
    tests and demos); ``sleep`` replaces retry and rate-limit waits.
    """

    spec_model = RestConfig
    connector_name = "rest"

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._transport = transport
        self._sleep = sleep

    def connection_specification(self) -> dict[str, Any]:
        """The spec, minus pydantic's OpenAPI ``discriminator`` (its ``$defs`` targets are inlined)."""
        spec: dict[str, Any] = _without_discriminators(super().connection_specification())
        return spec

    def check_config(self, config: RestConfig) -> None:
        """Read the first page of the first stream (its first partition)."""
        stream = self._streams(config)[0]
        partition = next(iter(stream.partitions()), None)
        with closing(stream.fetch(since=None, partition=partition)) as pages:
            next(pages, None)

    def hub_streams(self, config: RestConfig) -> Sequence[HubStream]:
        """One stream per configured definition, sharing one API (credentials, rate limit settings)."""
        return self._streams(config)

    def _streams(self, config: RestConfig) -> list[RestStream]:
        api = RestApi(config, transport=self._transport, sleep=self._sleep)
        return [stream_class(definition)(api) for definition in config.streams]


def _without_discriminators(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_discriminators(value) for key, value in node.items() if key != "discriminator"}
    if isinstance(node, list):
        return [_without_discriminators(item) for item in node]
    return node
