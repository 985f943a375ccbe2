"""What to do with an HTTP status code, kept as data (one table per API family).

Like airbyte-cdk's ``DEFAULT_ERROR_MAPPING``: a connector whose API says "throttled" with a
503, or "not found means empty" with a 404, overrides single entries with
:func:`merge_error_mapping` instead of writing ``if`` chains.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "DEFAULT_ERROR_MAPPING",
    "ErrorMapping",
    "ResponseAction",
    "classify_status",
    "merge_error_mapping",
]


class ResponseAction(enum.Enum):
    """How the HTTP client treats a response."""

    SUCCESS = "success"  # hand the response back
    RETRY = "retry"  # transient: retry with backoff, then RetriableConnectorError
    RATE_LIMITED = "rate_limited"  # retry after Retry-After / backoff, then RateLimited
    FAIL = "fail"  # the remote refused the request: RemoteRejected, never retried
    AUTH = "auth"  # credentials refused: AuthenticationError, never retried
    IGNORE = "ignore"  # hand the response back; the caller reads the status (e.g. 404 = absent)


ErrorMapping = Mapping[int, ResponseAction]

DEFAULT_ERROR_MAPPING: ErrorMapping = MappingProxyType(
    {
        **{code: ResponseAction.SUCCESS for code in range(200, 300)},
        400: ResponseAction.FAIL,
        401: ResponseAction.AUTH,
        403: ResponseAction.AUTH,
        404: ResponseAction.FAIL,
        408: ResponseAction.RETRY,
        409: ResponseAction.FAIL,
        422: ResponseAction.FAIL,
        429: ResponseAction.RATE_LIMITED,
        **{code: ResponseAction.RETRY for code in range(500, 600)},
    }
)
"""2xx success; 401/403 auth; 400/404/409/422 fail; 408 and 5xx retry; 429 rate limited."""


def merge_error_mapping(base: ErrorMapping, overrides: Mapping[int, ResponseAction]) -> ErrorMapping:
    """A read-only mapping: ``base`` with ``overrides`` applied (an API family's exceptions)."""
    return MappingProxyType({**base, **overrides})


def classify_status(status_code: int, mapping: ErrorMapping = DEFAULT_ERROR_MAPPING) -> ResponseAction:
    """The action for ``status_code``; unmapped codes fall back by class.

    Unmapped 2xx succeed, 5xx retry, anything else (1xx, 3xx, other 4xx) fails: a redirect we
    did not follow or a status we do not know is never silently treated as success.
    """
    action = mapping.get(status_code)
    if action is not None:
        return action
    if 200 <= status_code < 300:
        return ResponseAction.SUCCESS
    if 500 <= status_code < 600:
        return ResponseAction.RETRY
    return ResponseAction.FAIL
