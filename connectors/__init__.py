"""Connectors: one sub-package per external system, plus the shared plumbing.

This facade is import-light (no airbyte_cdk, zeep or paramiko): the CLI lists connectors
through it. The source contract lives in :mod:`connectors.contract` (imports airbyte_cdk),
the HTTP client in :mod:`connectors.http`, error translators in :mod:`connectors.translate`,
the Airbyte process runner in :mod:`connectors.runner`.
"""

from __future__ import annotations

from connectors.descriptor import Connector, ConnectorInfo, ConnectorKind
from connectors.errors import (
    AmbiguousOutcome,
    AuthenticationError,
    ConnectorError,
    FatalConnectorError,
    RateLimited,
    RemoteRejected,
    RetriableConnectorError,
)
from connectors.redaction import RedactingFilter, redact, sanitize_url, secret_values
from connectors.registry import (
    ENTRY_POINT_GROUP,
    BrokenPlugin,
    broken_plugins,
    get_connector,
    list_connectors,
)
from connectors.sink import Sink, submit_exactly_once

__all__ = [
    "ENTRY_POINT_GROUP",
    "AmbiguousOutcome",
    "AuthenticationError",
    "BrokenPlugin",
    "Connector",
    "ConnectorError",
    "ConnectorInfo",
    "ConnectorKind",
    "FatalConnectorError",
    "RateLimited",
    "RedactingFilter",
    "RemoteRejected",
    "RetriableConnectorError",
    "Sink",
    "broken_plugins",
    "get_connector",
    "list_connectors",
    "redact",
    "sanitize_url",
    "secret_values",
    "submit_exactly_once",
]
