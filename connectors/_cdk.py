"""The one place that imports airbyte_cdk, so importing it changes nothing around it.

Importing airbyte_cdk runs ``logging.config.dictConfig`` (root handlers replaced by a JSON
console handler) and, from its declarative package, emits ``ExperimentalClassWarning``s
while defining its own classes. Neither is ours to keep: this module restores the root
logger afterwards and ignores those import-time warnings (only them, only during the
import). :func:`connectors.runner.run_source_cli` installs Airbyte's log format explicitly
when a connector runs as an Airbyte process.

Only modules that run a source import this (``connectors.contract``, ``connectors.runner``,
connector ``source`` modules); never the registry, descriptors or ``connectors/__init__``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "AbstractSource",
    "AirbyteConnectionStatus",
    "AirbyteEntrypoint",
    "AirbyteMessage",
    "AirbyteTracedException",
    "CheckpointMixin",
    "ConnectorSpecification",
    "FailureType",
    "Status",
    "Stream",
    "SyncMode",
    "preserved_logging",
]


@contextmanager
def preserved_logging() -> Iterator[None]:
    """Restore the root logger's handlers and level (and ``airbyte``'s level) on exit."""
    root = logging.getLogger()
    airbyte = logging.getLogger("airbyte")
    handlers, level, airbyte_level = list(root.handlers), root.level, airbyte.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        airbyte.setLevel(airbyte_level)


with preserved_logging(), warnings.catch_warnings():
    # airbyte-cdk 7 defines experimental classes in its declarative package; subclassing them
    # warns at import time. Not actionable here, and fatal under `-W error`.
    warnings.filterwarnings("ignore", message="This class is experimental", category=DeprecationWarning)
    from airbyte_cdk.entrypoint import AirbyteEntrypoint

    # The protocol enums come from the untyped airbyte_protocol_dataclasses package, which
    # airbyte_cdk.models re-exports implicitly.
    from airbyte_cdk.models import (  # type: ignore[attr-defined]
        AirbyteConnectionStatus,
        FailureType,
        Status,
        SyncMode,
    )
    from airbyte_cdk.models.airbyte_protocol import AirbyteMessage, ConnectorSpecification
    from airbyte_cdk.sources import AbstractSource
    from airbyte_cdk.sources.streams import CheckpointMixin, Stream
    from airbyte_cdk.utils.traced_exception import AirbyteTracedException
