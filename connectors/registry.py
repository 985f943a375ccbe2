"""Find connectors through the ``dmshub.connectors`` entry-point group.

Each entry point names a :class:`~connectors.descriptor.Connector` descriptor::

    [project.entry-points."dmshub.connectors"]
    sample = "connectors.sample.descriptor:CONNECTOR"

so a third-party package adds a connector without touching this repository. Loading a
descriptor imports only its light module (never airbyte_cdk). A plugin that fails to load,
is not a descriptor, or clashes with another name is reported in ``Discovery.broken`` and
logged; it never breaks the listing of the others.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint

from canonical_model.errors import ConfigError
from connectors.descriptor import Connector, ConnectorInfo

__all__ = [
    "ENTRY_POINT_GROUP",
    "BrokenPlugin",
    "Discovery",
    "EntryPointsSource",
    "broken_plugins",
    "discover",
    "get_connector",
    "list_connectors",
]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "dmshub.connectors"
EntryPointsSource = Callable[[], Iterable[EntryPoint]]


@dataclass(frozen=True)
class BrokenPlugin:
    """An entry point that did not yield a usable connector, and why."""

    name: str
    value: str
    package: str
    reason: str


@dataclass(frozen=True)
class Discovery:
    """Every connector found, by name, plus the plugins that could not be used."""

    connectors: Mapping[str, Connector]
    packages: Mapping[str, str]
    broken: tuple[BrokenPlugin, ...]


def _installed_entry_points() -> Iterable[EntryPoint]:
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def discover(entry_points: EntryPointsSource | None = None) -> Discovery:
    """Load every descriptor of the group (``entry_points`` replaces the installed ones in tests)."""
    found: dict[str, Connector] = {}
    packages: dict[str, str] = {}
    broken: list[BrokenPlugin] = []
    for entry_point in sorted(
        (entry_points or _installed_entry_points)(), key=lambda ep: (ep.name, ep.value)
    ):
        package = entry_point.dist.name if entry_point.dist is not None else ""
        reason: str | None = None
        try:
            loaded = entry_point.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the listing
            reason = f"cannot be loaded: {type(exc).__name__}: {exc}"
        else:
            if not isinstance(loaded, Connector):
                reason = f"is a {type(loaded).__name__}, not a connectors.descriptor.Connector"
            elif loaded.name != entry_point.name:
                reason = f"is registered as {entry_point.name!r} but its descriptor is named {loaded.name!r}"
            elif loaded.name in found:
                other = packages[loaded.name] or "another entry point"
                reason = f"duplicates connector {loaded.name!r} from {other}"
            else:
                found[loaded.name] = loaded
                packages[loaded.name] = package or loaded.info.package
        if reason is not None:
            logger.warning("connector plugin %s = %s %s", entry_point.name, entry_point.value, reason)
            broken.append(BrokenPlugin(entry_point.name, entry_point.value, package, reason))
    return Discovery(found, packages, tuple(broken))


def list_connectors(*, entry_points: EntryPointsSource | None = None) -> list[ConnectorInfo]:
    """Every usable connector, sorted by name (broken plugins are logged, not raised)."""
    discovery = discover(entry_points)
    infos = []
    for name in sorted(discovery.connectors):
        info = discovery.connectors[name].info
        infos.append(
            ConnectorInfo(info.name, info.kind, info.streams, discovery.packages[name], info.description)
        )
    return infos


def broken_plugins(*, entry_points: EntryPointsSource | None = None) -> list[BrokenPlugin]:
    """The plugins of the group that could not be used, with the reason."""
    return list(discover(entry_points).broken)


def get_connector(name: str, *, entry_points: EntryPointsSource | None = None) -> Connector:
    """The descriptor registered as ``name``; :class:`ConfigError` lists the known names."""
    discovery = discover(entry_points)
    connector = discovery.connectors.get(name)
    if connector is not None:
        return connector
    for plugin in discovery.broken:
        if plugin.name == name:
            raise ConfigError(f"connector {name!r} is installed but broken: {plugin.reason}")
    known = ", ".join(sorted(discovery.connectors)) or "none installed"
    raise ConfigError(f"unknown connector {name!r}; known connectors: {known}")
