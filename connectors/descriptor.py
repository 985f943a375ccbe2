"""What a connector package exposes to the registry, without importing anything heavy.

A connector's ``descriptor.py`` builds one :class:`Connector` and names it in the
``dmshub.connectors`` entry-point group. The descriptor refers to its implementation by
dotted path (``"connectors.sample.source:SampleSource"``), imported only when the connector
is run, so listing connectors never imports airbyte_cdk, zeep or paramiko.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from canonical_model.errors import ConfigError

if TYPE_CHECKING:
    from connectors.contract import HubSource
    from connectors.sink import Sink

__all__ = ["Connector", "ConnectorInfo", "ConnectorKind"]

ConnectorKind = Literal["source", "sink", "webhook"]
_KINDS: tuple[str, ...] = ("source", "sink", "webhook")


@dataclass(frozen=True)
class ConnectorInfo:
    """What ``dmshub connector list`` shows about one connector."""

    name: str
    kind: ConnectorKind
    streams: tuple[str, ...]
    package: str
    description: str


@dataclass(frozen=True)
class Connector:
    """A connector's descriptor: its name, kind and where its implementation lives.

    ``factory`` is ``"module:attribute"``. For a source it names a zero-argument callable
    (usually the :class:`~connectors.contract.HubSource` subclass); for a sink, a callable
    taking the validated config mapping; for a webhook receiver, whatever its flow expects.
    """

    name: str
    kind: ConnectorKind
    factory: str
    description: str
    streams: tuple[str, ...] = ()
    package: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"connector {self.name!r}: kind must be one of {_KINDS}, got {self.kind!r}")
        if ":" not in self.factory:
            raise ValueError(
                f"connector {self.name!r}: factory must be 'module:attribute', got {self.factory!r}"
            )

    @property
    def info(self) -> ConnectorInfo:
        """The listing entry for this connector."""
        package = self.package or self.factory.split(":", 1)[0].rsplit(".", 1)[0]
        return ConnectorInfo(self.name, self.kind, tuple(self.streams), package, self.description)

    def load_factory(self) -> Callable[..., Any]:
        """Import and return the factory (this is where heavy imports happen)."""
        module_name, _, attribute = self.factory.partition(":")
        try:
            target: Any = importlib.import_module(module_name)
            for part in attribute.split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(f"connector {self.name!r}: cannot load {self.factory}: {exc}") from exc
        if not callable(target):
            raise ConfigError(f"connector {self.name!r}: {self.factory} is not callable")
        return cast(Callable[..., Any], target)

    def create_source(self) -> HubSource[Any]:
        """A new source instance (kind ``source`` only)."""
        self._require("source")
        return cast("HubSource[Any]", self.load_factory()())

    def create_sink(self, config: Mapping[str, Any]) -> Sink:
        """A new sink for ``config`` (kind ``sink`` only)."""
        self._require("sink")
        return cast("Sink", self.load_factory()(config))

    def _require(self, kind: ConnectorKind) -> None:
        if self.kind != kind:
            raise ConfigError(f"connector {self.name!r} is a {self.kind}, not a {kind}")
