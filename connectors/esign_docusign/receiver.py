"""DocuSign Connect (JSON SIM, ``restv2.1``) receiver: HMAC-verified envelope events → contracts.

Connect signs the raw body: ``base64(HMAC-SHA256(connect_key, body))`` in one header per
active key, ``X-DocuSign-Signature-1`` … ``-N`` (up to 100, so keys can rotate). A delivery is
accepted when ANY header matches ANY configured key, compared in constant time. The event
type is in the body (``event: "envelope-completed"``), not in a header.

Connect has no timestamp header; ``generatedDateTime`` in the (signed) body bounds the age of
an accepted delivery, so a captured delivery cannot be replayed after ``max_age_seconds``
(Connect itself retries failed deliveries for days, hence the generous default). Inside that
window the inbox dedups on the event id ``{envelopeId}:{event}:{generatedDateTime}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from contextlib import suppress
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.webhook import MAX_BODY_BYTES, Ack, InboundEvent, WebhookRejected, lower_headers

__all__ = ["CONNECT_STATUS", "DocuSignConnectConfig", "DocuSignConnectReceiver", "connect_signature"]

SYSTEM = "esign-docusign"
MAX_SIGNATURE_HEADERS = 100

CONNECT_STATUS: dict[str, str] = {
    "sent": "sent",
    "delivered": "delivered",
    "signed": "delivered",  # one recipient signed; the envelope is not complete yet
    "completed": "signed",
    "declined": "declined",
    "voided": "voided",
}
"""DocuSign envelope status → canonical ``contracts.status`` (``created`` is a draft: ignored)."""


class DocuSignConnectConfig(BaseModel):
    """Connect HMAC keys and the custom fields that carry our references."""

    model_config = ConfigDict(extra="forbid")

    hmac_keys: list[SecretStr] = Field(
        min_length=1,
        description="Connect HMAC keys (all active ones while rotating).",
        json_schema_extra={"airbyte_secret": True},
    )
    max_age_seconds: int = Field(
        default=15 * 86400, ge=60, description="Oldest generatedDateTime accepted (Connect retries for days)."
    )
    contract_field: str = Field(default="contract_no", description="Envelope text custom field: contract_no.")
    dealer_field: str = Field(default="dealer_code", description="Envelope text custom field: the dealer.")


def connect_signature(key: str, body: bytes) -> str:
    """``base64(HMAC-SHA256(key, body))``: the value of one ``X-DocuSign-Signature-N`` header."""
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


class DocuSignConnectReceiver:
    """Verifies, parses and acknowledges DocuSign Connect deliveries."""

    def __init__(self, config: DocuSignConnectConfig, *, name: str = SYSTEM) -> None:
        self.config = config
        self.name = name

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, name: str = SYSTEM) -> DocuSignConnectReceiver:
        """Build from a plain mapping (secrets already resolved by the caller)."""
        return cls(DocuSignConnectConfig.model_validate(config), name=name)

    def _reject(self, message: str, status: int) -> WebhookRejected:
        body = json.dumps({"error": message}).encode()
        reply = Ack(status, body, "application/json")
        return WebhookRejected(message, system=self.name, status=status, reply=reply)

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> InboundEvent:
        """Size, signature (any key, any header), content type, shape, then age."""
        headers = lower_headers(headers)
        if len(body) > MAX_BODY_BYTES:
            raise self._reject("body too large", 413)
        candidates = [
            value.strip()
            for n in range(1, MAX_SIGNATURE_HEADERS + 1)
            if (value := headers.get(f"x-docusign-signature-{n}"))
        ]
        if not candidates:
            raise self._reject("missing X-DocuSign-Signature-1 header", 401)
        expected = [connect_signature(k.get_secret_value(), body) for k in self.config.hmac_keys]
        # Every pair is compared (no early exit) so timing says nothing about which key matched.
        matches = [hmac.compare_digest(e.encode(), c.encode()) for e in expected for c in candidates]
        if not any(matches):
            raise self._reject("signature does not match", 401)
        if "json" not in headers.get("content-type", ""):
            raise self._reject("content type must be application/json", 415)
        event = self.parse(headers, body)
        if event.occurred_at is None:
            raise self._reject("body has no valid generatedDateTime", 400)
        age = (now - event.occurred_at).total_seconds()
        if age > self.config.max_age_seconds or age < -300:
            raise self._reject("generatedDateTime outside the accepted window", 401)
        return event

    def parse(self, headers: Mapping[str, str], body: bytes) -> InboundEvent:
        """The event of an (already verified) Connect JSON body."""
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise self._reject("body is not valid JSON", 400) from None
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
            raise self._reject("body must be a Connect JSON event with data", 400)
        envelope_id = payload["data"].get("envelopeId")
        kind = payload.get("event")
        generated = payload.get("generatedDateTime")
        if not (isinstance(envelope_id, str) and envelope_id and isinstance(kind, str) and kind):
            raise self._reject("body lacks event or data.envelopeId", 400)
        return InboundEvent(f"{envelope_id}:{kind}:{generated}", kind, payload, _parse_time(generated))

    def ack(self, event: InboundEvent, *, duplicate: bool) -> Ack:
        """HTTP 200 (Connect only looks at the status code); duplicates too, so it stops retrying."""
        return Ack(200, json.dumps({"received": True, "duplicate": duplicate}).encode(), "application/json")

    def to_changes(self, event: InboundEvent) -> list[dict[str, Any]]:
        """One ``contracts`` row for an envelope event that carries our custom fields.

        The row's ``status`` is the event's own; the change also carries ``keep_furthest``
        (column and rank, see :mod:`.contract_status`) so the applier never moves a contract
        backwards when Connect delivers out of order.
        """
        from connectors.esign_docusign.contract_status import STATUS_RANK

        data = event.payload["data"]
        summary = data.get("envelopeSummary") or {}
        raw_status = str(summary.get("status") or event.event_type or "").removeprefix("envelope-")
        status = CONNECT_STATUS.get(raw_status)
        fields = {
            str(f.get("name")): f.get("value")
            for f in (summary.get("customFields") or {}).get("textCustomFields") or []
            if isinstance(f, Mapping)
        }
        contract_no, dealer = fields.get(self.config.contract_field), fields.get(self.config.dealer_field)
        if status is None or not contract_no or not dealer:
            return []
        row: dict[str, Any] = {
            "contract_no": contract_no,
            "dealer_code": dealer,
            "provider": SYSTEM,
            "external_id": data["envelopeId"],
            "status": status,
        }
        for column in ("valid_from", "valid_until"):
            if isinstance(value := fields.get(column), str) and value:
                with suppress(ValueError):  # an unreadable optional date is left out, not guessed
                    row[column] = date.fromisoformat(value[:10])
        if status == "signed":
            row["signed_at"] = _parse_time(summary.get("completedDateTime")) or event.occurred_at
        return [{"entity": "contracts", "row": row, "keep_furthest": {"status": STATUS_RANK}}]
