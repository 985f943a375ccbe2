"""The transport of the ``rest`` source: the shared hub HTTP client, auth headers, JSON pages.

Retries (429 with ``Retry-After``, 5xx, timeouts, resets), the rate limit, typed errors and
redaction all come from :mod:`connectors.http`; this module adds the API's credentials, reads
bodies as JSON, checks an application status code when configured, and finds values by
dotted path (``data.items``).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from connectors.errors import FatalConnectorError, RemoteRejected
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client
from connectors.redaction import redact, sanitize_url
from connectors.rest.spec import ApiKeyAuth, BasicAuth, BearerAuth, RestConfig

__all__ = ["SYSTEM", "JsonResponse", "RestApi", "dig"]

SYSTEM = "rest"

JsonResponse = tuple[Any, httpx.Response]
_MISSING = object()


def dig(body: Any, path: str | None, *, default: Any = None) -> Any:
    """The value at dotted ``path`` in ``body`` (the body itself for an empty path), else ``default``."""
    if not path:
        return body
    node = body
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return default
    return node


class RestApi:
    """One configured API: opens hub HTTP clients and reads JSON pages from it.

    ``transport`` routes the clients elsewhere (a sandbox in tests); ``sleep`` replaces the
    retry and rate-limit waits (tests record them instead of waiting).
    """

    def __init__(
        self,
        config: RestConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self._transport = transport
        self._sleep = sleep
        self._headers, self.secrets = _credentials(config)

    @contextmanager
    def client(self) -> Iterator[HubHttpClient]:
        """A new client (one connection pool per read); closed on exit."""
        config = self.config
        http_config = HttpClientConfig(
            system=SYSTEM,
            base_url=config.base_url,
            connect_timeout=config.connect_timeout_seconds,
            read_timeout=config.timeout_seconds,
            max_retries=config.max_retries,
            rate_limit_per_second=config.requests_per_second,
            secrets=self.secrets,
            headers={"Accept": "application/json", **config.headers, **self._headers},
            sleep=self._sleep,
        )
        client = build_http_client(http_config, transport=self._transport)
        try:
            yield client
        finally:
            client.close()

    def get_json(
        self, client: HubHttpClient, url: str, params: Mapping[str, Any] | None = None
    ) -> JsonResponse:
        """GET ``url`` and return (JSON body, response); raises hub errors only."""
        response = client.get(url, params=params)
        where = redact(sanitize_url(response.request.url), self.secrets)
        try:
            body = response.json()
        except ValueError as exc:
            raise FatalConnectorError(
                f"{SYSTEM}: GET {where} returned a body that is not JSON", system=SYSTEM
            ) from exc
        self._check_code(body, where)
        return body, response

    def _check_code(self, body: Any, where: str) -> None:
        check = self.config.response_code
        if check is None:
            return
        code = dig(body, check.path, default=_MISSING)
        if code is _MISSING or code is None or str(code) in check.success:
            return
        message = dig(body, check.message_path) if check.message_path else None
        detail = redact(" ".join(str(message).split()), self.secrets) if message else "no message"
        raise RemoteRejected(
            f"{SYSTEM}: GET {where} -> {check.path} {code}: {detail}",
            system=SYSTEM,
            remote_messages=(detail,),
        )


def _credentials(config: RestConfig) -> tuple[dict[str, str], tuple[str, ...]]:
    auth = config.auth
    if isinstance(auth, BearerAuth):
        token = auth.token.get_secret_value()
        return {"Authorization": f"Bearer {token}"}, (token,)
    if isinstance(auth, ApiKeyAuth):
        value = auth.value.get_secret_value()
        return {auth.header: value}, (value,)
    if isinstance(auth, BasicAuth):
        password = auth.password.get_secret_value()
        pair = base64.b64encode(f"{auth.username}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}, (password, pair)
    return {}, ()
