"""The slice of pyrfc the connector uses, as a Protocol, and how a connection is opened.

pyrfc needs SAP's proprietary NW RFC SDK and is not on the public package index, so it is an
optional extra (``pip install 'dms-hub[sap-rfc]'``) imported only when a real connection is
opened. Everything else talks to :class:`RfcConnection`, which pyrfc's ``Connection`` and the
sandbox's connection both satisfy. Errors are pyrfc's exception classes (``LogonError``,
``CommunicationError``, ``ABAPApplicationError`` ...), translated once by
:func:`connectors.translate.pyrfc_errors`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Protocol, Self, cast, runtime_checkable

from canonical_model.errors import ConfigError
from connectors.translate import pyrfc_errors

logger = logging.getLogger(__name__)

__all__ = ["ConnectionFactory", "RfcConnection", "RfcSession", "open_session", "pyrfc_connection"]


@runtime_checkable
class RfcConnection(Protocol):
    """What the connector needs of ``pyrfc.Connection``."""

    def call(self, func_name: str, /, **params: Any) -> Mapping[str, Any]:
        """Call a remote-enabled function module; EXPORT, CHANGING and TABLES come back."""
        ...

    def close(self) -> None:
        """Close the connection (uncommitted work is discarded by SAP)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None: ...


ConnectionFactory = Callable[..., RfcConnection]
"""Opens a connection from pyrfc's logon keywords (``ashost=``, ``client=``, ``passwd=`` ...):
``pyrfc.Connection`` itself, :func:`pyrfc_connection`, or a sandbox's ``connect``."""


def pyrfc_connection(**logon: str) -> RfcConnection:
    """A real ``pyrfc.Connection``; :class:`ConfigError` when the extra is not installed."""
    try:
        pyrfc = importlib.import_module("pyrfc")
    except ImportError as exc:
        raise ConfigError(
            "sap-rfc: pyrfc is not installed: install the [sap-rfc] extra "
            "(pip install 'dms-hub[sap-rfc]', which needs SAP's NW RFC SDK), or set sandbox: true"
        ) from exc
    return cast(RfcConnection, pyrfc.Connection(**logon))


class RfcSession:
    """One open connection whose calls raise hub errors (see :mod:`connectors.translate`)."""

    def __init__(self, connection: RfcConnection, *, system: str, secrets: tuple[str, ...]) -> None:
        self.connection = connection
        self.system = system
        self._secrets = secrets

    def call(self, function: str, /, **params: Any) -> dict[str, Any]:
        """``connection.call(function, **params)`` with pyrfc's errors translated."""
        with pyrfc_errors(self.system, secrets=self._secrets):
            return dict(self.connection.call(function, **params))


@contextmanager
def open_session(
    factory: ConnectionFactory, logon: Mapping[str, str], *, system: str, secrets: tuple[str, ...]
) -> Iterator[RfcSession]:
    """Open a connection (logon errors translated), yield it as a session, always close it."""
    with pyrfc_errors(system, secrets=secrets):
        connection = factory(**logon)
    try:
        yield RfcSession(connection, system=system, secrets=secrets)
    finally:
        try:
            connection.close()
        except Exception as exc:  # noqa: BLE001 - a broken connection may refuse to close; it is gone anyway
            logger.debug("%s: closing the RFC connection failed: %s", system, type(exc).__name__)
