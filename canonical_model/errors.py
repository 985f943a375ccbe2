"""The hub's error hierarchy.

::

    HubError                      root: every error the hub raises on purpose
    ├── ConfigError               bad settings, bad CLI input, bad spec files
    ├── StoreError                the database: unreachable, bad URL, not migrated
    │   ├── DatabaseUnreachable
    │   └── SchemaNotMigrated
    ├── ValidationError           a value breaks a rule of the canonical model
    │   └── InvalidIdentifier     check digits, formats (GTIN, USCC, GLN, region codes)
    ├── ConnectorError            (connectors.errors) talking to an external system
    │   ├── FatalConnectorError   do not retry: credentials, bad request, not found
    │   └── RetriableConnectorError  retry later: timeouts, 429, 5xx, resets
    ├── MappingError              (mappings) a mapping spec or its application
    └── DomainError               (dms_core) business rule refusals (CreditLimitExceeded, ...)

Every error carries a one-line message fit for a user; the CLI prints ``str(err)`` and
never a traceback for a ``HubError``.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DatabaseUnreachable",
    "HubError",
    "InvalidIdentifier",
    "SchemaNotMigrated",
    "StoreError",
    "ValidationError",
]


class HubError(Exception):
    """Root of every error the hub raises on purpose."""


class ConfigError(HubError):
    """Bad configuration or user input (settings, CLI arguments, spec files)."""


class StoreError(HubError):
    """The canonical store cannot do what was asked."""


class DatabaseUnreachable(StoreError):
    """The database server did not accept a connection."""


class SchemaNotMigrated(StoreError):
    """The database schema is not at the head revision: run ``dmshub db upgrade``."""


class ValidationError(HubError):
    """A value breaks a rule of the canonical model."""


class InvalidIdentifier(ValidationError):
    """An identifier (GTIN, USCC, GLN, region code, ...) is malformed or has a bad check digit."""

    def __init__(self, kind: str, value: object, reason: str) -> None:
        self.kind = kind
        self.value = value
        self.reason = reason
        super().__init__(f"invalid {kind} {value!r}: {reason}")
