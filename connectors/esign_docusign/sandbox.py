"""DMS Hub sandbox of DocuSign Connect: sends envelope events signed like Connect, for tests and demos.

Not DocuSign's service. Keys are generated at test time (:func:`new_key`); the sandbox can
sign with several keys (rotation), replay a delivery, deliver out of order and corrupt one.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.esign_docusign.receiver import connect_signature

__all__ = ["ConnectDelivery", "ConnectSandbox", "new_key"]

NOTICE = "DMS Hub sandbox: a fake of DocuSign Connect for tests and demos, not DocuSign's service."


def new_key() -> str:
    """A fresh Connect-style HMAC key (base64 text, 32 random bytes)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ConnectDelivery:
    """One HTTP delivery: the raw body and its headers."""

    body: bytes
    headers: dict[str, str]


@dataclass
class ConnectSandbox:
    """Builds Connect JSON SIM events for one account and signs them with ``keys``."""

    keys: Sequence[str]
    account_id: str = "sandbox-account-0001"
    sent: list[ConnectDelivery] = field(default_factory=list)

    def event(
        self,
        envelope_id: str,
        status: str,
        *,
        contract_no: str,
        dealer_code: str,
        generated: datetime | None = None,
        extra_fields: dict[str, str] | None = None,
    ) -> ConnectDelivery:
        """A signed ``envelope-<status>`` event, as Connect would post it."""
        at = (generated or datetime.now(UTC)).astimezone(UTC)
        stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        custom = {"contract_no": contract_no, "dealer_code": dealer_code, **(extra_fields or {})}
        summary: dict[str, Any] = {
            "status": status,
            "emailSubject": f"Distribution contract {contract_no}",
            "statusChangedDateTime": stamp,
            "customFields": {"textCustomFields": [{"name": k, "value": v} for k, v in custom.items()]},
        }
        if status == "completed":
            summary["completedDateTime"] = stamp
        payload = {
            "event": f"envelope-{status}",
            "apiVersion": "v2.1",
            "uri": f"/restapi/v2.1/accounts/{self.account_id}/envelopes/{envelope_id}",
            "retryCount": 0,
            "configurationId": 10001,
            "generatedDateTime": stamp,
            "data": {"accountId": self.account_id, "envelopeId": envelope_id, "envelopeSummary": summary},
        }
        return self.sign(json.dumps(payload).encode())

    def sign(self, body: bytes) -> ConnectDelivery:
        """Headers for ``body``: one ``X-DocuSign-Signature-N`` per key, like Connect."""
        headers = {"Content-Type": "application/json", "x-authorization-digest": "HMACSHA256"}
        for n, key in enumerate(self.keys, start=1):
            headers[f"X-DocuSign-Signature-{n}"] = connect_signature(key, body)
        delivery = ConnectDelivery(body, headers)
        self.sent.append(delivery)
        return delivery

    @staticmethod
    def corrupt(delivery: ConnectDelivery) -> ConnectDelivery:
        """The same headers over a body with one byte changed (a tampered delivery)."""
        body = delivery.body.replace(b'"status": "', b'"status": "x', 1)
        return ConnectDelivery(body, dict(delivery.headers))

    def replay(self, index: int = -1) -> ConnectDelivery:
        """An earlier delivery again, byte for byte (what a retry or an attacker sends)."""
        return self.sent[index]

    @staticmethod
    def reorder(deliveries: Sequence[ConnectDelivery]) -> list[ConnectDelivery]:
        """``deliveries`` last first (out-of-order delivery)."""
        return list(reversed(deliveries))
