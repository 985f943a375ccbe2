"""The one zeep client every SOAP connector uses: hardened XML parsing on the hub's httpx client.

- **Transport.** :class:`HubTransport` is a sync ``zeep.transports.Transport`` that sends
  through :class:`~connectors.http.HubHttpClient` (httpx + tenacity retries, ``Retry-After``,
  rate limit, redaction), so respx or an httpx transport can fake every SOAP call. zeep 4.3's
  own httpx transport (``AsyncTransport``) is async-only for operations; ours is sync.
- **Parsing.** :func:`hardened_settings`: ``forbid_dtd``, ``forbid_entities`` and
  ``forbid_external`` on, ``strict`` parsing, no ``xml_huge_tree``. A WSDL or a response
  carrying a DTD or an entity is refused. zeep only blocks http(s) imports itself; the
  transport also refuses local files outside the WSDL's own folder (``file:`` imports,
  ``../`` escapes) and any other scheme, so loading a WSDL never reads or fetches anything
  else.
- **Errors.** Every call runs under :func:`connectors.translate.zeep_errors`. SOAP faults
  arrive with HTTP 500 (SOAP 1.1) or 400 (SOAP 1.2 sender faults), so those statuses are
  handed to zeep to read the fault rather than retried as plain HTTP errors. WS-Security
  faults (``wsse:FailedAuthentication`` ...) become :class:`AuthenticationError`.
- **Writes.** :meth:`SoapClient.call` takes ``idempotent``: a write (``idempotent=False``)
  that times out after it was sent raises :class:`AmbiguousOutcome`, never a blind retry.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx
import zeep
import zeep.exceptions as zx
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from canonical_model.errors import ConfigError
from connectors._httpx_errors import error_for_response, one_line
from connectors.error_mapping import (
    DEFAULT_ERROR_MAPPING,
    ErrorMapping,
    ResponseAction,
    classify_status,
    merge_error_mapping,
)
from connectors.errors import AuthenticationError, FatalConnectorError
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client
from connectors.redaction import header_secrets, redact
from connectors.translate import zeep_errors

__all__ = [
    "SOAP_ERROR_MAPPING",
    "WSSE_AUTH_FAULTS",
    "HubTransport",
    "SoapClient",
    "build_soap_client",
    "hardened_settings",
]

logger = logging.getLogger(__name__)

_FAULT_STATUSES = {400: ResponseAction.IGNORE, 500: ResponseAction.IGNORE}
SOAP_ERROR_MAPPING: ErrorMapping = merge_error_mapping(DEFAULT_ERROR_MAPPING, _FAULT_STATUSES)
"""HTTP 400/500 carry SOAP faults: zeep reads them (a non-XML body still fails cleanly)."""

WSSE_AUTH_FAULTS = frozenset(
    {"FailedAuthentication", "InvalidSecurityToken", "InvalidSecurity", "FailedCheck"}
)
"""Local names of the OASIS WS-Security 1.1 fault codes that mean "credentials refused"."""


def hardened_settings() -> zeep.Settings:
    """zeep settings for untrusted XML: no DTDs, no entities, no external fetches, strict."""
    return zeep.Settings(
        strict=True,
        xml_huge_tree=False,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )


class HubTransport(Transport):
    """A sync zeep transport that sends through a :class:`HubHttpClient`.

    ``local_roots`` are the folders local documents (the WSDL and the schemas it includes)
    may be read from; anything else is refused with ``ExternalReferenceForbidden``.
    """

    def __init__(self, http: HubHttpClient, *, local_roots: Sequence[Path] = ()) -> None:
        # Transport.__init__ is not called on purpose: it builds a requests.Session with a
        # file:// adapter, the very side door this transport exists to close.
        self.cache = None
        self.load_timeout = http.config.read_timeout
        self.operation_timeout = None
        self.logger = logger
        self._close_session = False
        self.http = http
        self._roots: tuple[Path, ...] = tuple(root.resolve() for root in local_roots)
        self._idempotent: ContextVar[bool] = ContextVar("soap_idempotent", default=False)

    def allow_local(self, root: Path) -> None:
        """Also allow local documents under ``root``."""
        self._roots = (*self._roots, root.resolve())

    @contextmanager
    def sending(self, *, idempotent: bool) -> Iterator[None]:
        """Mark the operations sent inside the block as idempotent (reads) or not (writes)."""
        token = self._idempotent.set(idempotent)
        try:
            yield
        finally:
            self._idempotent.reset(token)

    def load(self, url: str) -> bytes:
        """A WSDL/XSD document: over HTTP(S) through the hub client, or from an allowed folder."""
        if not url:
            raise ValueError("No url given to load")
        parts = urlsplit(str(url))
        scheme = parts.scheme.lower()
        if scheme in ("http", "https"):
            response = self.http.request("GET", str(url))
            action = classify_status(response.status_code)
            if action is not ResponseAction.SUCCESS:
                raise error_for_response(
                    response,
                    action=action,
                    system=self.http.config.system,
                    secrets=self.http.config.secrets,
                    idempotent=True,
                )
            return response.content
        if scheme == "file":
            path = Path(url2pathname(parts.path))
        elif scheme == "" or (len(scheme) == 1 and Path(str(url)).drive):  # a plain (Windows) path
            path = Path(str(url)).expanduser()
        else:
            raise zx.ExternalReferenceForbidden(url)  # type: ignore[no-untyped-call]
        resolved = path.resolve()
        if not any(resolved.is_relative_to(root) for root in self._roots):
            raise zx.ExternalReferenceForbidden(url)  # type: ignore[no-untyped-call]
        try:
            return resolved.read_bytes()
        except OSError as exc:
            system = self.http.config.system
            raise FatalConnectorError(
                f"{system}: cannot read {resolved.name} ({type(exc).__name__})", system=system
            ) from exc

    def post(self, address: str, message: bytes | str, headers: Mapping[str, str]) -> httpx.Response:
        """POST an envelope; the httpx response serves zeep (status, content, headers, encoding).

        A 400/500 whose body is not a SOAP envelope (a proxy's error page) is an HTTP error,
        classified as usual (so a write that got one is ambiguous, not refused).
        """
        idempotent = self._idempotent.get()
        response = self.http.request(
            "POST", address, content=message, headers=dict(headers), idempotent=idempotent
        )
        if response.status_code in (400, 500) and not _is_soap(response):
            raise error_for_response(
                response,
                action=classify_status(response.status_code),
                system=self.http.config.system,
                secrets=self.http.config.secrets,
                idempotent=idempotent,
            )
        return response

    def get(
        self, address: str, params: Mapping[str, Any] | None, headers: Mapping[str, str]
    ) -> httpx.Response:
        """GET (HTTP bindings)."""
        return self.http.request("GET", address, params=params, headers=dict(headers))

    def close(self) -> None:
        """Close the HTTP client (zeep's ``Client.__exit__`` calls this)."""
        self.http.close()


class SoapClient:
    """A zeep client bound to one endpoint; :meth:`call` returns zeep objects or raises hub errors."""

    def __init__(
        self, client: zeep.Client, service: Any, transport: HubTransport, *, secrets: Sequence[str]
    ) -> None:
        self.zeep = client
        self.service = service
        self.transport = transport
        self.system = transport.http.config.system
        self._secrets = tuple(secret for secret in secrets if secret)

    def call(self, operation: str, /, *, idempotent: bool, soapheaders: Any = None, **arguments: Any) -> Any:
        """Run ``operation`` with ``arguments``; ``idempotent=False`` for writes."""
        extra = {"_soapheaders": soapheaders} if soapheaders is not None else {}
        with (
            zeep_errors(self.system, secrets=self._secrets, idempotent=idempotent),
            _wsse_auth_faults(self.system, self._secrets),
            self.transport.sending(idempotent=idempotent),
        ):
            return self.service[operation](**arguments, **extra)

    def get_type(self, name: str) -> Any:
        """A zeep type factory for ``name`` (``{namespace}Type`` or ``ns0:Type``)."""
        with zeep_errors(self.system, secrets=self._secrets):
            return self.zeep.get_type(name)  # type: ignore[no-untyped-call]

    def element(self, name: str) -> Any:
        """A zeep element for ``name`` (for SOAP headers)."""
        with zeep_errors(self.system, secrets=self._secrets):
            return self.zeep.get_element(name)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        """Close the underlying HTTP client."""
        self.transport.close()

    def __enter__(self) -> SoapClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _is_soap(response: httpx.Response) -> bool:
    media = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return media.endswith("xml") and b"Envelope" in response.content[:2048]


@contextmanager
def _wsse_auth_faults(system: str, secrets: tuple[str, ...]) -> Iterator[None]:
    try:
        yield
    except zx.Fault as exc:
        code = str(exc.code or "")
        if code.rpartition(":")[2] in WSSE_AUTH_FAULTS:
            text = one_line(redact(str(exc.message or code), secrets))
            raise AuthenticationError(
                f"{system}: SOAP credentials refused [{code}]: {text}", system=system
            ) from exc
        raise


def build_soap_client(
    wsdl: str | Path,
    http: HttpClientConfig,
    *,
    endpoint: str | None = None,
    binding: str | None = None,
    username: str | None = None,
    password: str | None = None,
    transport: httpx.BaseTransport | None = None,
    local_roots: Sequence[Path] = (),
) -> SoapClient:
    """A hardened zeep client for ``wsdl`` (a local file or an http(s) URL).

    ``endpoint`` replaces the WSDL's ``soap:address`` (the WSDL shipped with a connector
    carries a placeholder); ``binding`` (``{namespace}Name``) is needed only when the WSDL
    has several. ``username``/``password`` add a WS-Security ``UsernameToken``
    (PasswordText). ``transport`` routes HTTP to a sandbox in tests. The WSDL's own folder is
    always an allowed local root. Raises hub errors (unsafe XML → ``FatalConnectorError``).
    """
    config = dataclasses.replace(
        http,
        error_mapping=merge_error_mapping(http.error_mapping, _FAULT_STATUSES),
        secrets=(*http.secrets, *(s for s in (password,) if s)),
    )
    hub_http = build_http_client(config, transport=transport)
    hub_transport = HubTransport(hub_http, local_roots=local_roots)
    location = str(wsdl)
    if not urlsplit(location).scheme.lower().startswith("http"):
        wsdl_path = Path(location).expanduser().resolve()
        hub_transport.allow_local(wsdl_path.parent)
        location = str(wsdl_path)
    wsse = UsernameToken(username, password) if username else None  # type: ignore[no-untyped-call]
    secrets = (*config.secrets, *header_secrets(config.headers))
    try:
        with zeep_errors(config.system, secrets=secrets):
            client = zeep.Client(  # type: ignore[no-untyped-call]
                location, wsse=wsse, transport=hub_transport, settings=hardened_settings()
            )
            service = _bind(client, endpoint, binding, config.system)
    except BaseException:
        hub_http.close()
        raise
    return SoapClient(client, service, hub_transport, secrets=secrets)


def _bind(client: zeep.Client, endpoint: str | None, binding: str | None, system: str) -> Any:
    if endpoint is None:
        return client.service
    bindings = list(client.wsdl.bindings)
    if binding is None:
        if len(bindings) != 1:
            raise ConfigError(f"{system}: the WSDL has {len(bindings)} bindings; name one of {bindings}")
        binding = str(bindings[0])
    elif binding not in client.wsdl.bindings:
        raise ConfigError(f"{system}: the WSDL has no binding {binding!r}; it has {bindings}")
    return client.create_service(binding, endpoint)  # type: ignore[no-untyped-call]
