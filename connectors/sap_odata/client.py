"""The ``sap-odata`` transport: the hub's HTTP client plus SAP Gateway's CSRF protocol.

A modifying request needs an ``x-csrf-token``: it is fetched with a ``GET`` on the service
root carrying ``x-csrf-token: fetch``, and is bound to the session cookies that response
sets (the httpx client keeps them). A stale token (session expired, server restarted) is
answered with ``403`` and ``x-csrf-token: Required``: the token is fetched again once and
the request repeated; any other 403 is an authorization failure.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from connectors.error_mapping import DEFAULT_ERROR_MAPPING, ResponseAction, merge_error_mapping
from connectors.errors import AuthenticationError, FatalConnectorError, RemoteRejected
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client
from connectors.redaction import redact, sanitize_url
from connectors.sap_odata.odata import error_messages
from connectors.sap_odata.spec import SapODataConfig

__all__ = ["SYSTEM", "SapODataClient"]

SYSTEM = "sap-odata"
_CSRF = "x-csrf-token"
# 400 and 403 carry SAP's messages and (403) the CSRF verdict: read here, not by the generic client.
_ERROR_MAPPING = merge_error_mapping(
    DEFAULT_ERROR_MAPPING, {400: ResponseAction.IGNORE, 403: ResponseAction.IGNORE}
)


class SapODataClient:
    """Reads and writes entity sets of one OData V2 service; raises hub errors."""

    def __init__(
        self,
        config: SapODataConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        if transport is None and config.sandbox:
            from connectors.sap_odata.sandbox import SalesOrderSandbox  # only the demo path loads it

            transport = httpx.MockTransport(SalesOrderSandbox.demo().handle)
        credentials = f"{config.username}:{config.password.get_secret_value()}".encode()
        self._secrets = config.secrets()
        self.http: HubHttpClient = build_http_client(
            HttpClientConfig(
                system=SYSTEM,
                base_url=config.service_url(),
                read_timeout=config.timeout_seconds,
                error_mapping=_ERROR_MAPPING,
                secrets=self._secrets,
                headers={
                    "Authorization": "Basic " + base64.b64encode(credentials).decode(),
                    "Accept": "application/json",
                },
                sleep=sleep,
            ),
            transport=transport,
        )
        self._token: str | None = None

    def _params(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        merged = dict(params or {})
        if self.config.sap_client:
            merged["sap-client"] = self.config.sap_client
        return merged

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """``GET path`` (relative to the service root) → the ``d`` of the JSON body."""
        response = self.http.get(path, params=self._params({"$format": "json", **(params or {})}))
        self._check(response)
        return _payload(response)

    def entities(self, entity_set: str, params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
        """One page of ``entity_set``: its results and the server's ``__next`` link, if any."""
        payload = self.get(entity_set, params)
        if isinstance(payload, Mapping):
            results = payload.get("results", [])
            next_link = payload.get("__next")
        else:
            results, next_link = payload, None
        if not isinstance(results, list):
            raise FatalConnectorError(
                f"{SYSTEM}: {entity_set}: the response holds no result list", system=SYSTEM
            )
        return results, str(next_link) if next_link else None

    def fetch_token(self) -> str:
        """A fresh CSRF token (its session cookies land in the client's cookie jar)."""
        response = self.http.get("", params=self._params(), headers={_CSRF: "fetch"})
        self._check(response)
        token = str(response.headers.get(_CSRF, ""))
        if not token or token.lower() == "required":
            raise FatalConnectorError(f"{SYSTEM}: the service issued no CSRF token", system=SYSTEM)
        return token

    def create(self, entity_set: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST`` a (deep) entity; one token refresh when the server says the token is stale."""
        for attempt in (1, 2):
            if self._token is None:
                self._token = self.fetch_token()
            response = self.http.request(
                "POST",
                entity_set,
                params=self._params(),
                json=dict(body),
                headers={_CSRF: self._token, "Content-Type": "application/json"},
            )
            if response.status_code == 403 and response.headers.get(_CSRF, "").lower() == "required":
                self._token = None
                if attempt == 1:
                    continue
            self._check(response)
            payload = _payload(response)
            if not isinstance(payload, dict):
                raise FatalConnectorError(
                    f"{SYSTEM}: {entity_set}: the response holds no entity", system=SYSTEM
                )
            return payload
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _check(self, response: httpx.Response) -> None:
        if response.status_code not in (400, 403):
            return
        try:
            messages = error_messages(response.json())
        except ValueError:
            messages = []
        messages = [redact(m, self._secrets) for m in messages]
        where = f"{response.request.method} {redact(sanitize_url(response.request.url), self._secrets)}"
        text = f"{SYSTEM}: {where} -> HTTP {response.status_code}" + (
            f": {'; '.join(messages)}" if messages else ""
        )
        if response.status_code == 403:
            stale = response.headers.get(_CSRF, "").lower() == "required"
            reason = " (CSRF token refused after a refresh)" if stale else ""
            raise AuthenticationError(text + reason, system=SYSTEM, status_code=403)
        raise RemoteRejected(text, system=SYSTEM, status_code=400, remote_messages=messages)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def __enter__(self) -> SapODataClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _payload(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError as exc:
        raise FatalConnectorError(
            f"{SYSTEM}: HTTP {response.status_code}: the body is not JSON", system=SYSTEM
        ) from exc
    if not isinstance(body, dict) or "d" not in body:
        raise FatalConnectorError(
            f"{SYSTEM}: HTTP {response.status_code}: no 'd' in the JSON body", system=SYSTEM
        )
    return body["d"]
