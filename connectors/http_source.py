"""Base of the sources that talk to one HTTP API through one client.

They all take the same two seams — ``transport`` routes the HTTP client elsewhere (a
sandbox in tests and demos), ``sleep`` replaces the waits between retries — and check a
config the same way: open a client, read the least that proves the config works, close.
A source states only what differs: how to build its client and what to read.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

import httpx

from connectors.contract import ConfigT, HubSource

__all__ = ["HttpSource"]


class _Closable(Protocol):
    def close(self) -> None: ...


ClientT = TypeVar("ClientT", bound=_Closable)


class HttpSource(HubSource[ConfigT], Generic[ConfigT, ClientT]):
    """A source over one HTTP API; subclasses give :meth:`client` and :meth:`probe`."""

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self._transport = transport
        self._sleep = sleep

    @abstractmethod
    def client(self, config: ConfigT) -> ClientT:
        """A client for ``config`` on this source's transport."""

    @abstractmethod
    def probe(self, client: ClientT, config: ConfigT) -> None:
        """Read the least that proves the endpoint, the credentials and the permissions."""

    def check_config(self, config: ConfigT) -> None:
        """:meth:`probe` on a fresh client, closed afterwards whatever happens."""
        client = self.client(config)
        try:
            self.probe(client, config)
        finally:
            client.close()
