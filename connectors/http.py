"""The one HTTP client every connector uses: httpx + tenacity retries + a rate limit.

- Retries only what can heal: transport errors (timeouts, connection resets) and responses
  the error mapping calls RETRY (408, 5xx) or RATE_LIMITED (429), with exponential backoff
  and full jitter, honouring ``Retry-After`` (seconds or HTTP-date, capped).
- FAIL and AUTH responses raise at once (:class:`RemoteRejected`, :class:`AuthenticationError`).
- A non-idempotent write (POST/PATCH without an idempotency key) is retried only when it
  provably never left (connect errors) or was throttled (429). If it fails after being
  sent, :class:`AmbiguousOutcome` is raised so the caller looks the document up first.
- Every message is redacted: URLs through ``sanitize_url``, known secrets through ``redact``.
- ``sleep`` and ``clock`` are injectable, so tests run instantly.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from connectors._httpx_errors import error_for_response, error_for_transport
from connectors.error_mapping import DEFAULT_ERROR_MAPPING, ErrorMapping, ResponseAction, classify_status
from connectors.errors import AmbiguousOutcome, FatalConnectorError, RateLimited, RetriableConnectorError
from connectors.ratelimit import RateLimiter
from connectors.redaction import header_secrets, redact, sanitize_url

__all__ = ["IDEMPOTENT_METHODS", "HttpClientConfig", "HubHttpClient", "build_http_client"]

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


@dataclass(frozen=True)
class HttpClientConfig:
    """Settings of one :class:`HubHttpClient` (one per connector instance and remote API)."""

    system: str
    base_url: str = ""
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_retries: int = 4
    """Retries after the first attempt (so ``max_retries + 1`` attempts in all)."""
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 300.0
    """Cap on the wait a server asks for with ``Retry-After``."""
    rate_limit_per_second: float | None = None
    error_mapping: ErrorMapping = field(default_factory=lambda: DEFAULT_ERROR_MAPPING)
    secrets: tuple[str, ...] = field(default=(), repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    idempotency_header: str = "Idempotency-Key"
    verify: bool | ssl.SSLContext = True
    follow_redirects: bool = False
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ValueError("timeouts must be positive")


class HubHttpClient:
    """A thin wrapper around :class:`httpx.Client`; build it with :func:`build_http_client`."""

    def __init__(self, config: HttpClientConfig, client: httpx.Client) -> None:
        self.config = config
        self.httpx = client
        self._limiter = (
            RateLimiter(config.rate_limit_per_second, clock=config.clock, sleep=config.sleep)
            if config.rate_limit_per_second
            else None
        )
        self._backoff = wait_random_exponential(multiplier=config.backoff_base, max=config.backoff_max)
        # Credentials sent in headers are masked even when the caller did not list them.
        self._secrets = (*config.secrets, *header_secrets(config.headers))

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        content: bytes | str | None = None,
        timeout: float | httpx.Timeout | None = None,
        idempotent: bool | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """Send a request with retries; return the response or raise a hub error.

        ``idempotent`` defaults to True for GET/HEAD/OPTIONS/PUT/DELETE and for any request
        with an ``idempotency_key`` (sent in ``config.idempotency_header``).
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS or idempotency_key is not None
        all_headers = dict(headers or {})
        if idempotency_key is not None:
            all_headers[self.config.idempotency_header] = idempotency_key
        attempts = self.config.max_retries + 1
        retrying = Retrying(
            stop=stop_after_attempt(attempts),
            wait=self._wait,
            retry=retry_if_exception(_is_retriable),
            sleep=self.config.sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        response: httpx.Response | None = None
        for attempt in retrying:
            with attempt:
                request = self.httpx.build_request(
                    method,
                    url,
                    params=params,
                    headers=all_headers,
                    json=json,
                    data=data,
                    content=content,
                    timeout=timeout if timeout is not None else self.httpx.timeout,
                )
                response = self._send_once(
                    request, idempotent=idempotent, secrets=(*self._secrets, *header_secrets(all_headers))
                )
        if response is None:  # pragma: no cover - tenacity either returns or raises
            raise RuntimeError("retry loop ended without a response")
        return response

    def get(
        self, url: str, *, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        """``request("GET", ...)``."""
        return self.request("GET", url, params=params, headers=headers)

    def post(
        self,
        url: str,
        *,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """``request("POST", ...)``: non-idempotent unless an ``idempotency_key`` is given."""
        return self.request(
            "POST", url, json=json, data=data, headers=headers, idempotency_key=idempotency_key
        )

    def _send_once(
        self, request: httpx.Request, *, idempotent: bool, secrets: tuple[str, ...]
    ) -> httpx.Response:
        config = self.config
        if self._limiter is not None:
            self._limiter.acquire()
        try:
            response = self.httpx.send(request)
        except httpx.HTTPError as exc:
            raise error_for_transport(
                exc, system=config.system, secrets=secrets, idempotent=idempotent
            ) from exc
        except httpx.InvalidURL as exc:
            raise FatalConnectorError(
                f"{config.system}: invalid URL: {redact(str(exc), secrets)}", system=config.system
            ) from exc
        action = classify_status(response.status_code, config.error_mapping)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s: %s %s -> %s",
                config.system,
                request.method,
                redact(sanitize_url(request.url), secrets),
                response.status_code,
            )
        if action in (ResponseAction.SUCCESS, ResponseAction.IGNORE):
            return response
        error = error_for_response(
            response, action=action, system=config.system, secrets=secrets, idempotent=idempotent
        )
        response.close()
        raise error

    def _wait(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            return min(exc.retry_after, self.config.retry_after_max)
        return float(self._backoff(retry_state))

    def _log_retry(self, retry_state: RetryCallState) -> None:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
        logger.warning(
            "%s; retrying in %.2fs (attempt %d of %d)",
            exc,
            wait,
            retry_state.attempt_number + 1,
            self.config.max_retries + 1,
        )

    def close(self) -> None:
        """Close the underlying connection pool."""
        self.httpx.close()

    def __enter__(self) -> HubHttpClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _is_retriable(exc: BaseException) -> bool:
    # AmbiguousOutcome is retriable only after a lookup, which the client cannot do.
    return isinstance(exc, RetriableConnectorError) and not isinstance(exc, AmbiguousOutcome)


def build_http_client(
    config: HttpClientConfig, *, transport: httpx.BaseTransport | None = None
) -> HubHttpClient:
    """A :class:`HubHttpClient` for ``config``; ``transport`` lets tests route to a sandbox."""
    client = httpx.Client(
        base_url=config.base_url,
        headers=dict(config.headers),
        timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
        follow_redirects=config.follow_redirects,
        verify=config.verify,
        transport=transport,
    )
    return HubHttpClient(config, client)
