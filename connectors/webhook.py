"""The contract of a webhook receiver: verify a provider's callback and answer it its way.

The hub's HTTP service (``flows/webhooks.py``) owns the endpoint ``POST /webhooks/{name}``:
it hands the raw request to the connector's :class:`WebhookReceiver`, stores what passed
verification in the inbox (deduplicated by the provider's event id) and returns the
receiver's :class:`Ack` — before any business processing. Processing inbox rows into
canonical changes is a separate, idempotent step, done by the receiver's
:meth:`WebhookReceiver.to_changes` in a flow.

A receiver never trusts the body before the signature, checks the timestamp against a
tolerance (replays of old deliveries are refused), and raises :class:`WebhookRejected`
carrying the HTTP status and the provider's own failure reply. Secrets (HMAC keys,
public keys) come in through the receiver's constructor, resolved by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from connectors.errors import ConnectorError

__all__ = ["MAX_BODY_BYTES", "Ack", "InboundEvent", "WebhookReceiver", "WebhookRejected", "lower_headers"]

MAX_BODY_BYTES = 1_000_000
"""Callbacks are small; anything bigger is refused before it is parsed."""


@dataclass(frozen=True)
class Ack:
    """The HTTP answer a provider expects."""

    status: int = 200
    body: bytes = b""
    media_type: str = "text/plain; charset=utf-8"


class WebhookRejected(ConnectorError):
    """Verification failed: answer ``status`` with ``reply`` and process nothing."""

    def __init__(self, message: str, *, system: str, status: int = 401, reply: Ack | None = None) -> None:
        super().__init__(message, system=system, status_code=status)
        self.status = status
        self.reply = reply or Ack(status, message.encode(), "text/plain; charset=utf-8")


@dataclass(frozen=True)
class InboundEvent:
    """What a verified callback is: the provider's id for it, its type, and its payload."""

    event_id: str
    event_type: str | None
    payload: Mapping[str, Any] = field(repr=False)
    occurred_at: datetime | None = None


@runtime_checkable
class WebhookReceiver(Protocol):
    """Implemented by each webhook connector (payment, e-signature, carrier pushes, ...)."""

    name: str

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> InboundEvent:
        """The event if signature, timestamp and shape are right; else raise WebhookRejected.

        ``headers`` have lower-case names. ``now`` is the receiving time (aware UTC).
        """
        ...

    def parse(self, headers: Mapping[str, str], body: bytes) -> InboundEvent:
        """The event of a delivery that already passed :meth:`verify` (read back from the inbox)."""
        ...

    def ack(self, event: InboundEvent, *, duplicate: bool) -> Ack:
        """The provider's success reply (also for a duplicate delivery: it must stop retrying)."""
        ...

    def to_changes(self, event: InboundEvent) -> list[dict[str, Any]]:
        """The canonical changes the event asks for, as ``{"entity": table, "row": {...}}`` items.

        Pure: no I/O. The inbox flow applies them (merge keyed on natural keys), so running it
        twice changes nothing.
        """
        ...


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names lower-cased (HTTP header names are case-insensitive)."""
    return {k.lower(): v for k, v in headers.items()}
