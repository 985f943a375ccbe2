"""Writing to external systems exactly once.

A :class:`Sink` submits one document under our idempotency key and can look a document up
by that key, the way SAP's transactional RFC runs a call carrying a transaction id at most
once. :func:`submit_exactly_once` retries transient failures, and before every retry it
asks the remote whether the previous attempt landed, so a timeout after the remote
committed never creates a second document.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

from connectors.errors import AmbiguousOutcome, RateLimited, RemoteRejected, RetriableConnectorError

__all__ = ["Sink", "submit_exactly_once", "submit_order_once"]

logger = logging.getLogger(__name__)


@runtime_checkable
class Sink(Protocol):
    """A system the hub writes documents to (ERP sales orders, e-signature envelopes, ...)."""

    def submit(self, document: Mapping[str, Any], *, idempotency_key: str) -> str:
        """Create the document; return the remote's reference (e.g. the ERP document number).

        Raise :class:`~connectors.errors.AmbiguousOutcome` when the outcome is unknown (a
        timeout after sending), a retriable error when it surely failed, a fatal one when
        retrying cannot help.
        """
        ...

    def lookup(self, idempotency_key: str) -> str | None:
        """The remote reference of the document submitted under this key, or None if absent."""
        ...


def submit_exactly_once(
    sink: Sink,
    document: Mapping[str, Any],
    idempotency_key: str,
    *,
    retries: int = 3,
    lookup_first: bool = False,
    backoff_base: float = 1.0,
    backoff_max: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Submit ``document`` at most once and return its remote reference.

    Transient failures are retried up to ``retries`` times. Before every retry, and once more
    after a final ambiguous failure, the document is looked up by ``idempotency_key``: if the
    remote has it, its reference is returned instead of submitting again. ``lookup_first``
    also looks up before the first submit (use it when an earlier run may have sent it, e.g.
    an outbox row that was being sent when the process died). Fatal errors raise at once.

    Raises the last error when attempts run out; an :class:`AmbiguousOutcome` then means the
    document may exist remotely: leave it for a later lookup, never resubmit blindly.
    """
    if retries < 0:
        raise ValueError("retries must be >= 0")
    if lookup_first:
        existing = sink.lookup(idempotency_key)
        if existing is not None:
            return existing
    last_error: RetriableConnectorError | None = None
    for attempt in range(retries + 1):
        if attempt > 0:
            sleep(_delay(last_error, attempt, backoff_base, backoff_max))
            try:
                existing = sink.lookup(idempotency_key)
            except RetriableConnectorError as exc:
                logger.warning("lookup of %s failed (%s); will retry", idempotency_key, exc)
                last_error = _keep_ambiguity(last_error, exc)
                continue
            if existing is not None:
                logger.info("document %s already exists remotely as %s", idempotency_key, existing)
                return existing
        try:
            return sink.submit(document, idempotency_key=idempotency_key)
        except RetriableConnectorError as exc:
            logger.warning(
                "submit of %s failed (attempt %d of %d): %s", idempotency_key, attempt + 1, retries + 1, exc
            )
            last_error = exc
    if isinstance(last_error, AmbiguousOutcome):
        existing = sink.lookup(idempotency_key)
        if existing is not None:
            return existing
    if last_error is None:  # pragma: no cover - every loop pass returns or records an error
        raise RuntimeError("submit_exactly_once ended without a result or an error")
    raise last_error


def _keep_ambiguity(
    previous: RetriableConnectorError | None, new: RetriableConnectorError
) -> RetriableConnectorError:
    # A failed lookup must not hide that an earlier submit may have landed.
    return previous if isinstance(previous, AmbiguousOutcome) else new


def _delay(error: RetriableConnectorError | None, attempt: int, base: float, cap: float) -> float:
    if isinstance(error, RateLimited) and error.retry_after is not None:
        return min(error.retry_after, cap)
    return random.uniform(0, min(cap, base * 2 ** (attempt - 1)))  # noqa: S311 - jitter, not crypto


def submit_order_once(
    sink: Sink,
    document: Mapping[str, Any],
    *,
    system: str,
    retries: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """An ERP order sink's ``submit_order``: keyed on ``order_no``, looked up before the first try.

    The outbox may hand over an order an earlier, killed run already sent, so the lookup
    comes first; an order without ``order_no`` cannot be made idempotent and is refused.
    """
    key = str(document.get("order_no") or "").strip()
    if not key:
        raise RemoteRejected(f"{system}: the order has no order_no", system=system)
    return submit_exactly_once(sink, document, key, retries=retries, lookup_first=True, sleep=sleep)
