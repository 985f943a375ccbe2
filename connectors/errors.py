"""Errors raised while talking to an external system.

::

    HubError                                  (canonical_model.errors)
    └── ConnectorError                        system, status_code
        ├── FatalConnectorError               do not retry: fix config, data or code first
        │   ├── AuthenticationError           credentials refused, expired or not authorised
        │   └── RemoteRejected                the remote said no to this request (+ its messages)
        └── RetriableConnectorError           retry later: timeouts, 429, 5xx, resets
            ├── RateLimited                   429 / throttled (+ retry_after seconds)
            └── AmbiguousOutcome              a write timed out after it was sent: the remote
                                              may have committed it. Look it up before retrying.

Every message is one line, fit for a user and free of secrets: the code that raises them
passes URLs through :func:`connectors.redaction.sanitize_url` and text through
:func:`connectors.redaction.redact`. Translators always ``raise ... from exc``.
"""

from __future__ import annotations

from collections.abc import Iterable

from canonical_model.errors import HubError

__all__ = [
    "AmbiguousOutcome",
    "AuthenticationError",
    "ConnectorError",
    "FatalConnectorError",
    "RateLimited",
    "RemoteRejected",
    "RetriableConnectorError",
]


class ConnectorError(HubError):
    """An external system call failed; ``system`` names the connector or vendor."""

    def __init__(self, message: str, *, system: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.system = system
        self.status_code = status_code

    @property
    def retriable(self) -> bool:
        """Whether retrying the same call later may succeed."""
        return isinstance(self, RetriableConnectorError)

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only constructor arguments: pickling (Prefect results, multiprocessing) needs
        # to rebuild the error from its state rather than from ``args``.
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))


def _rebuild(cls: type[ConnectorError], message: str, state: dict[str, object]) -> ConnectorError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class FatalConnectorError(ConnectorError):
    """Retrying will not help: credentials, a bad request, missing objects, bad configuration."""


class RetriableConnectorError(ConnectorError):
    """A transient failure: the same call may succeed later."""


class AuthenticationError(FatalConnectorError):
    """The remote refused our credentials (HTTP 401/403, SSH auth, SAP logon)."""


class RemoteRejected(FatalConnectorError):
    """The remote understood the request and refused it; ``remote_messages`` says why."""

    def __init__(
        self,
        message: str,
        *,
        system: str,
        status_code: int | None = None,
        remote_messages: Iterable[str] = (),
    ) -> None:
        super().__init__(message, system=system, status_code=status_code)
        self.remote_messages: tuple[str, ...] = tuple(remote_messages)


class RateLimited(RetriableConnectorError):
    """The remote throttled us; ``retry_after`` is the wait it asked for, in seconds, if any."""

    def __init__(
        self,
        message: str,
        *,
        system: str,
        status_code: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, system=system, status_code=status_code)
        self.retry_after = retry_after


class AmbiguousOutcome(RetriableConnectorError):
    """A non-idempotent write failed after it was sent: it may or may not have been applied.

    Never retry blindly: look the document up by its idempotency key first
    (:func:`connectors.sink.submit_exactly_once` does).
    """
