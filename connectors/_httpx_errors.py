"""httpx responses and exceptions → hub errors (shared by the HTTP client and ``httpx_errors``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from connectors.error_mapping import ResponseAction
from connectors.errors import (
    AmbiguousOutcome,
    AuthenticationError,
    ConnectorError,
    FatalConnectorError,
    RateLimited,
    RemoteRejected,
    RetriableConnectorError,
)
from connectors.redaction import redact, sanitize_url

__all__ = ["error_for_response", "error_for_transport", "parse_retry_after", "remote_messages"]

# The request provably never reached the server: safe to retry even a non-idempotent write.
NEVER_SENT: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
)
# Our side is wrong (bad scheme, bad headers, redirect loop, undecodable body): retrying repeats it.
FATAL_TRANSPORT: tuple[type[httpx.HTTPError], ...] = (
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.TooManyRedirects,
    httpx.DecodingError,
)
_MESSAGE_KEYS = (
    "message",
    "error_description",
    "errorMessage",
    "error_msg",
    "errmsg",
    "msg",
    "sub_msg",
    "return_msg",
    "detail",
    "title",
    "error",
    "value",
)


def describe_request(request: httpx.Request | None, secrets: Iterable[str]) -> str:
    """``METHOD url`` with secrets masked, or ``request`` when unknown."""
    if request is None:
        return "request"
    return f"{request.method} {redact(sanitize_url(request.url), secrets)}"


def _request_of(exc: httpx.HTTPError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:  # httpx raises when no request was attached
        return None


def error_for_transport(
    exc: httpx.HTTPError, *, system: str, secrets: Iterable[str], idempotent: bool
) -> ConnectorError:
    """The hub error for an httpx exception raised while sending or receiving."""
    secrets = tuple(secrets)
    where = describe_request(_request_of(exc), secrets)
    detail = one_line(redact(str(exc) or "no detail", secrets))
    text = f"{system}: {where} failed: {type(exc).__name__}: {detail}"
    if isinstance(exc, FATAL_TRANSPORT):
        return FatalConnectorError(text, system=system)
    if not idempotent and not isinstance(exc, NEVER_SENT):
        return AmbiguousOutcome(
            f"{text} (the write may have been applied: look it up before retrying)", system=system
        )
    return RetriableConnectorError(text, system=system)


def error_for_response(
    response: httpx.Response,
    *,
    action: ResponseAction,
    system: str,
    secrets: Iterable[str],
    idempotent: bool,
    now: datetime | None = None,
) -> ConnectorError:
    """The hub error for a response the error mapping did not accept."""
    secrets = tuple(secrets)
    status = response.status_code
    messages = tuple(redact(message, secrets) for message in remote_messages(response))
    reason = f": {one_line('; '.join(messages))}" if messages else ""
    text = f"{system}: {describe_request(response.request, secrets)} -> HTTP {status}{reason}"
    if action is ResponseAction.AUTH:
        return AuthenticationError(text, system=system, status_code=status)
    if action is ResponseAction.RATE_LIMITED:
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=now)
        return RateLimited(text, system=system, status_code=status, retry_after=retry_after)
    if action is ResponseAction.RETRY:
        if not idempotent:
            return AmbiguousOutcome(
                f"{text} (the write may have been applied: look it up before retrying)",
                system=system,
                status_code=status,
            )
        return RetriableConnectorError(text, system=system, status_code=status)
    return RemoteRejected(text, system=system, status_code=status, remote_messages=messages)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), if valid."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def remote_messages(response: httpx.Response, *, limit: int = 3) -> list[str]:
    """Human-readable error messages from a response body (JSON fields or plain text)."""
    try:
        body = response.read()
    except (httpx.HTTPError, httpx.StreamError):
        return []
    if not body:
        return []
    text = body.decode(response.encoding or "utf-8", errors="replace")
    try:
        payload: Any = json.loads(text)
    except ValueError:
        flat = one_line(text, 200)
        return [flat] if flat and not flat.lstrip().startswith("<") else []
    found = list(dict.fromkeys(_messages_in(payload, depth=0)))
    return found[:limit]


def _messages_in(payload: Any, *, depth: int) -> Iterator[str]:
    if depth > 3:
        return
    if isinstance(payload, list):
        for item in payload[:5]:
            yield from _messages_in(item, depth=depth + 1)
        return
    if not isinstance(payload, dict):
        return
    for key in _MESSAGE_KEYS:
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            yield one_line(value, 200)
        elif isinstance(value, dict | list):
            yield from _messages_in(value, depth=depth + 1)
    for key in ("errors", "details"):
        if isinstance(payload.get(key), list):
            yield from _messages_in(payload[key], depth=depth + 1)


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
