"""One context manager per third-party library, translating its exceptions into hub errors.

=====================  ==================================================================
``httpx_errors``       transport errors → retriable (or :class:`AmbiguousOutcome` for a
                       write that was already sent); HTTP status errors → by error mapping
``zeep_errors``        SOAP Fault → :class:`RemoteRejected` (faultstring); transport → by
                       status; malformed / DTD / entity / external-reference XML → fatal
``paramiko_errors``    auth → :class:`AuthenticationError`; unknown or changed host key →
                       fatal with a clear message; network / EOF / timeouts → retriable;
                       SFTP file errors → fatal
``pyrfc_errors``       pyrfc is optional and never imported here: its classes are matched by
                       name in modules ``pyrfc`` / ``pyrfc.*``
=====================  ==================================================================

Errors already translated (any :class:`~canonical_model.errors.HubError`) pass through
untouched, so translators nest. Every translation is ``raise ... from exc`` and every message
goes through :func:`~connectors.redaction.redact` with the secrets the caller passes.
"""

from __future__ import annotations

import errno
import importlib
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpx

from canonical_model.errors import HubError
from connectors._httpx_errors import error_for_response, error_for_transport, one_line
from connectors.error_mapping import DEFAULT_ERROR_MAPPING, ErrorMapping, ResponseAction, classify_status
from connectors.errors import (
    AmbiguousOutcome,
    AuthenticationError,
    ConnectorError,
    FatalConnectorError,
    RemoteRejected,
    RetriableConnectorError,
)
from connectors.redaction import redact

__all__ = ["httpx_errors", "paramiko_errors", "pyrfc_errors", "zeep_errors"]


@contextmanager
def httpx_errors(
    system: str,
    *,
    secrets: Iterable[str] = (),
    idempotent: bool = True,
    error_mapping: ErrorMapping = DEFAULT_ERROR_MAPPING,
) -> Iterator[None]:
    """Translate httpx exceptions (transport errors and ``raise_for_status()``) into hub errors.

    ``idempotent=False`` marks a write: a timeout or reset after the request was sent becomes
    :class:`AmbiguousOutcome` instead of a plain retriable error.
    """
    secrets = tuple(secrets)
    try:
        yield
    except HubError:
        raise
    except httpx.HTTPStatusError as exc:
        action = classify_status(exc.response.status_code, error_mapping)
        if action in (ResponseAction.SUCCESS, ResponseAction.IGNORE):
            action = ResponseAction.FAIL  # the caller raised on it: it was not fine for them
        raise error_for_response(
            exc.response, action=action, system=system, secrets=secrets, idempotent=idempotent
        ) from exc
    except httpx.HTTPError as exc:
        raise error_for_transport(exc, system=system, secrets=secrets, idempotent=idempotent) from exc
    except httpx.InvalidURL as exc:
        raise FatalConnectorError(
            f"{system}: invalid URL: {redact(str(exc), secrets)}", system=system
        ) from exc


@contextmanager
def zeep_errors(system: str, *, secrets: Iterable[str] = (), idempotent: bool = True) -> Iterator[None]:
    """Translate zeep (SOAP) exceptions, and the HTTP errors underneath, into hub errors."""
    import zeep.exceptions as zx  # lazily: lxml is heavy and only SOAP connectors need it

    secrets = tuple(secrets)
    try:
        with (
            httpx_errors(system, secrets=secrets, idempotent=idempotent),
            _requests_errors(system, secrets, idempotent),
        ):
            yield
    except HubError:
        raise
    except zx.Fault as exc:
        fault = redact(str(exc.message or "SOAP fault"), secrets)
        code = f" [{exc.code}]" if exc.code else ""
        raise RemoteRejected(
            f"{system}: SOAP fault{code}: {one_line(fault)}", system=system, remote_messages=(fault,)
        ) from exc
    except zx.TransportError as exc:
        status = exc.status_code or None
        action = classify_status(status) if status else ResponseAction.RETRY
        text = (
            f"{system}: SOAP transport error (HTTP {status}): {one_line(redact(str(exc.message), secrets))}"
        )
        if action is ResponseAction.AUTH:
            raise AuthenticationError(text, system=system, status_code=status) from exc
        if action in (ResponseAction.RETRY, ResponseAction.RATE_LIMITED):
            cls = RetriableConnectorError if idempotent or status == 429 else AmbiguousOutcome
            raise cls(text, system=system, status_code=status) from exc
        raise RemoteRejected(text, system=system, status_code=status) from exc
    except (zx.DTDForbidden, zx.EntitiesForbidden, zx.ExternalReferenceForbidden) as exc:
        raise FatalConnectorError(
            f"{system}: refused unsafe XML from the remote ({type(exc).__name__})", system=system
        ) from exc
    except zx.Error as exc:
        # XMLSyntaxError, XMLParseError, WsdlSyntaxError, ValidationError, LookupError, ...
        detail = one_line(redact(str(exc) or type(exc).__name__, secrets))
        raise FatalConnectorError(f"{system}: {type(exc).__name__}: {detail}", system=system) from exc
    except _lxml_syntax_error() as exc:
        detail = one_line(redact(str(exc), secrets))
        raise FatalConnectorError(f"{system}: malformed XML: {detail}", system=system) from exc


def _lxml_syntax_error() -> type[Exception]:
    # zeep parses with lxml; looked up at runtime (lxml ships no type stubs).
    syntax_error: type[Exception] = importlib.import_module("lxml.etree").XMLSyntaxError
    return syntax_error


@contextmanager
def _requests_errors(system: str, secrets: tuple[str, ...], idempotent: bool) -> Iterator[None]:
    # zeep's default transport is requests-based; ours is httpx, but a WSDL fetch may still
    # go through requests.
    import requests

    try:
        yield
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        # Only a failed connect proves the request never left; anything later is ambiguous.
        never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or any(
            marker in str(exc) for marker in ("NewConnectionError", "NameResolutionError")
        )
        cls = RetriableConnectorError if idempotent or never_sent else AmbiguousOutcome
        detail = one_line(redact(str(exc), secrets))
        raise cls(f"{system}: {type(exc).__name__}: {detail}", system=system) from exc


_NETWORK_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "ECONNREFUSED",
        "ECONNRESET",
        "ECONNABORTED",
        "ENETUNREACH",
        "ENETDOWN",
        "EHOSTUNREACH",
        "EHOSTDOWN",
        "ETIMEDOUT",
        "EPIPE",
    )
    if hasattr(errno, name)
)


@contextmanager
def paramiko_errors(system: str, *, host: str | None = None, secrets: Iterable[str] = ()) -> Iterator[None]:
    """Translate paramiko (SSH/SFTP) and socket exceptions into hub errors."""
    import paramiko  # lazily: only SFTP connectors need it

    secrets = tuple(secrets)
    where = f" {host}" if host else ""
    try:
        yield
    except HubError:
        raise
    except paramiko.AuthenticationException as exc:
        raise AuthenticationError(
            f"{system}: SSH authentication to{where} failed: {one_line(redact(str(exc), secrets))}",
            system=system,
        ) from exc
    except paramiko.BadHostKeyException as exc:
        raise FatalConnectorError(
            f"{system}: host key of {exc.hostname} does not match known_hosts "
            f"(got {_fingerprint(exc.key)}, expected {_fingerprint(exc.expected_key)}): "
            "the server changed its key or someone is in between; verify and update known_hosts",
            system=system,
        ) from exc
    except paramiko.SSHException as exc:
        text = one_line(redact(str(exc), secrets))
        if "known_hosts" in text:
            raise FatalConnectorError(
                f"{system}: host key of{where or ' the server'} is not in known_hosts; unknown hosts "
                "are rejected: add its key (verified out of band, e.g. ssh-keyscan) first",
                system=system,
            ) from exc
        if isinstance(exc, paramiko.ssh_exception.IncompatiblePeer | paramiko.ChannelException):
            raise FatalConnectorError(f"{system}: SSH to{where} failed: {text}", system=system) from exc
        raise RetriableConnectorError(f"{system}: SSH to{where} failed: {text}", system=system) from exc
    except (TimeoutError, EOFError, ConnectionError, socket.gaierror) as exc:
        detail = one_line(redact(str(exc), secrets))
        raise RetriableConnectorError(
            f"{system}: connection to{where} failed: {type(exc).__name__}: {detail}", system=system
        ) from exc
    except OSError as exc:
        text = one_line(redact(str(exc), secrets))
        if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError) or exc.errno in _NETWORK_ERRNOS:
            raise RetriableConnectorError(
                f"{system}: connection to{where} failed: {text}", system=system
            ) from exc
        # SFTP status errors arrive as IOError/OSError (FileNotFoundError, PermissionError, ...).
        raise FatalConnectorError(
            f"{system}: SFTP on{where} failed: {type(exc).__name__}: {text}", system=system
        ) from exc


def _fingerprint(key: object) -> str:
    fingerprint = getattr(key, "fingerprint", None)
    return str(fingerprint) if fingerprint else "an unknown key"


# pyrfc class name -> (error class, what it means). Matched along the exception's MRO so a
# subclass of a known class is translated like its parent.
_PYRFC_CLASSES: dict[str, tuple[type[ConnectorError], str]] = {
    "LogonError": (AuthenticationError, "SAP logon failed"),
    "ExternalAuthorizationError": (AuthenticationError, "SAP authorization missing"),
    "CommunicationError": (RetriableConnectorError, "SAP communication failed"),
    "ABAPApplicationError": (RemoteRejected, "SAP rejected the call"),
    "ABAPRuntimeError": (FatalConnectorError, "SAP runtime error"),
    "ExternalRuntimeError": (FatalConnectorError, "SAP RFC runtime error"),
    "ExternalApplicationError": (FatalConnectorError, "SAP RFC application error"),
    "RFCTypeError": (FatalConnectorError, "SAP RFC type conversion failed"),
    "RFCLibError": (FatalConnectorError, "SAP RFC error"),
    "RFCError": (FatalConnectorError, "SAP RFC error"),
}
# RFC return codes that are transient whatever the error group (RFC_TIMEOUT, RFC_CLOSED, ...).
_PYRFC_RETRIABLE_CODES = frozenset({1, 6, 8, 9, 14})


@contextmanager
def pyrfc_errors(system: str, *, secrets: Iterable[str] = ()) -> Iterator[None]:
    """Translate pyrfc exceptions without importing pyrfc (an optional, SDK-bound extra)."""
    secrets = tuple(secrets)
    try:
        yield
    except HubError:
        raise
    except Exception as exc:
        match = _pyrfc_class(exc)
        if match is None:
            raise
        cls, meaning = match
        if getattr(exc, "code", None) in _PYRFC_RETRIABLE_CODES and not issubclass(cls, AuthenticationError):
            cls = RetriableConnectorError
        message = one_line(redact(str(getattr(exc, "message", None) or exc), secrets))
        key = getattr(exc, "key", None)
        text = f"{system}: {meaning}" + (f" ({key})" if key else "") + f": {message}"
        if cls is RemoteRejected:
            raise RemoteRejected(text, system=system, remote_messages=(message,)) from exc
        raise cls(text, system=system) from exc


def _pyrfc_class(exc: BaseException) -> tuple[type[ConnectorError], str] | None:
    for klass in type(exc).__mro__:
        module = klass.__module__ or ""
        if (module == "pyrfc" or module.startswith("pyrfc.")) and klass.__name__ in _PYRFC_CLASSES:
            return _PYRFC_CLASSES[klass.__name__]
    return None
