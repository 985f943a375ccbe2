"""A generic signed-webhook receiver, Stripe's scheme: ``Signature: t=<unix>,v1=<hex>[,v1=<hex>]``.

The signed payload is ``f"{t}.{body}"`` under HMAC-SHA256 with the shared secret; any
``v1`` may match (providers send several while rotating secrets), compared in constant
time. A timestamp outside the tolerance is refused, which stops replays of captured
deliveries; the inbox's event-id dedup stops replays inside the window.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.webhook import MAX_BODY_BYTES, Ack, InboundEvent, WebhookRejected, lower_headers

__all__ = ["HmacWebhookConfig", "HmacWebhookReceiver", "sign"]

SYSTEM = "webhook-hmac"


class HmacWebhookConfig(BaseModel):
    """How one provider signs and what its events look like."""

    model_config = ConfigDict(extra="forbid")

    secret: SecretStr = Field(
        description="Shared signing secret.", json_schema_extra={"airbyte_secret": True}
    )
    signature_header: str = Field(default="Signature", description="Header carrying t=…,v1=….")
    tolerance_seconds: int = Field(default=300, ge=1, le=3600)
    event_id_field: str = Field(default="id", description="Dotted path of the event id in the JSON body.")
    event_type_field: str | None = Field(default="type", description="Dotted path of the event type.")
    entity: str | None = Field(default=None, description="Canonical table the event's data maps to, if any.")
    fields: dict[str, str] = Field(
        default_factory=dict, description="Target column → dotted path in the body."
    )


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``v1`` signature of ``body`` at ``timestamp`` (also what test senders use)."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _path(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


class HmacWebhookReceiver:
    """Verifies, parses and acknowledges one provider's deliveries."""

    def __init__(self, config: HmacWebhookConfig, *, name: str = SYSTEM) -> None:
        self.config = config
        self.name = name

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, name: str = SYSTEM) -> HmacWebhookReceiver:
        """Build from a plain config mapping (secrets already resolved by the caller)."""
        return cls(HmacWebhookConfig.model_validate(config), name=name)

    def _reject(self, message: str, status: int = 400) -> WebhookRejected:
        return WebhookRejected(
            message,
            system=self.name,
            status=status,
            reply=Ack(status, json.dumps({"error": message}).encode(), "application/json"),
        )

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> InboundEvent:
        """Signature, then timestamp, then shape; the first failure is the answer."""
        headers = lower_headers(headers)
        if len(body) > MAX_BODY_BYTES:
            raise self._reject("body too large", 413)
        header = headers.get(self.config.signature_header.lower())
        if not header:
            raise self._reject(f"missing {self.config.signature_header} header", 401)
        parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
        stamps = [v for k, v in parts if k.strip() == "t"]
        signatures = [v.strip() for k, v in parts if k.strip() == "v1"]
        if len(stamps) != 1 or not stamps[0].strip().isdigit() or not signatures:
            raise self._reject("malformed signature header", 401)
        timestamp = int(stamps[0])
        expected = sign(self.config.secret.get_secret_value(), timestamp, body)
        if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            raise self._reject("signature does not match", 401)
        age = abs(now.timestamp() - timestamp)
        if age > self.config.tolerance_seconds:
            raise self._reject(f"timestamp outside the {self.config.tolerance_seconds} s tolerance", 401)
        if "json" not in headers.get("content-type", "application/json"):
            raise self._reject("content type must be application/json", 415)
        event = self.parse(headers, body)
        return InboundEvent(
            event.event_id, event.event_type, event.payload, datetime.fromtimestamp(timestamp, UTC)
        )

    def parse(self, headers: Mapping[str, str], body: bytes) -> InboundEvent:
        """The event in an (already verified) body."""
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise self._reject("body is not valid JSON", 400) from None
        if not isinstance(payload, dict):
            raise self._reject("body must be a JSON object", 400)
        event_id = _path(payload, self.config.event_id_field)
        if not isinstance(event_id, str | int) or str(event_id) == "":
            raise self._reject(f"body has no event id at {self.config.event_id_field!r}", 400)
        kind = _path(payload, self.config.event_type_field) if self.config.event_type_field else None
        return InboundEvent(str(event_id), None if kind is None else str(kind), payload)

    def ack(self, event: InboundEvent, *, duplicate: bool) -> Ack:
        """``{"received": true}``, duplicates included (the provider must stop resending)."""
        return Ack(200, json.dumps({"received": True, "duplicate": duplicate}).encode(), "application/json")

    def to_changes(self, event: InboundEvent) -> list[dict[str, Any]]:
        """One row for ``entity`` built from ``fields``, if the config maps the event at all."""
        if not self.config.entity or not self.config.fields:
            return []
        row = {column: _path(event.payload, path) for column, path in self.config.fields.items()}
        return [{"entity": self.config.entity, "row": row}]
