"""法大大 FASC v5.1 callback receiver: ``X-FASC-*`` signed form posts → contract status.

A callback is a form post (``application/x-www-form-urlencoded``) with one field,
``bizContent`` (a JSON string), and the headers ``X-FASC-App-Id``, ``X-FASC-Sign-Type``,
``X-FASC-Sign``, ``X-FASC-Timestamp`` (ms), ``X-FASC-Nonce`` and ``X-FASC-Event``. It is
verified with the request algorithm (:mod:`.signing`) and refused when the timestamp is more
than ``tolerance_seconds`` (5 min) away. FASC callbacks carry no event id, so the inbox
dedups on a digest of the event name and ``bizContent``: a redelivery (new nonce, new
timestamp, same content) is acknowledged and not stored twice.

Our ``transReferenceId`` on the sign task is ``"<dealer_code>:<contract_no>"`` (see
:mod:`.client`), so a callback names the canonical contract without a lookup. The success
reply ``{"msg": "success"}`` with HTTP 200 is **[unverified]**: FASC retries on anything else.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.esign_docusign.contract_status import STATUS_RANK
from connectors.esign_fadada.signing import SIGN_HEADER, sign
from connectors.webhook import MAX_BODY_BYTES, Ack, InboundEvent, WebhookRejected, lower_headers

__all__ = ["EVENT_STATUS", "TASK_STATUS", "FadadaCallbackConfig", "FadadaCallbackReceiver"]

SYSTEM = "esign-fadada"
SUCCESS_REPLY = b'{"msg":"success"}'

# Header names as FASC spells them: the signature sorts and joins them case-sensitively.
_HEADER_NAMES = {
    name.lower(): name
    for name in (
        "X-FASC-App-Id",
        "X-FASC-Sign-Type",
        "X-FASC-Sign",
        "X-FASC-Timestamp",
        "X-FASC-Nonce",
        "X-FASC-Event",
        "X-FASC-Api-SubVersion",
        "X-FASC-AccessToken",
        "X-FASC-Grant-Type",
        "X-FASC-Request-Id",
    )
}
_REQUIRED = (
    "x-fasc-app-id",
    "x-fasc-sign-type",
    "x-fasc-sign",
    "x-fasc-timestamp",
    "x-fasc-nonce",
    "x-fasc-event",
)

TASK_STATUS: dict[str, str] = {
    "sign_progress": "sent",
    "sign_completed": "delivered",  # all signed, task not closed yet
    "task_finished": "signed",
    "sign_rejected": "declined",
    "task_terminated": "voided",
    "revoked": "voided",
    "expired": "expired",
}
"""FASC ``signTaskStatus`` → canonical ``contracts.status`` (names **[unverified]**)."""

EVENT_STATUS: dict[str, str] = {
    "sign-task-start": "sent",
    "sign-task-signed": "delivered",
    "sign-task-finished": "signed",
    "sign-task-sign-rejected": "declined",
    "sign-task-canceled": "voided",
    "sign-task-expire": "expired",
}
"""``X-FASC-Event`` → canonical status, used when ``bizContent`` has no known ``signTaskStatus``."""


class FadadaCallbackConfig(BaseModel):
    """The app credentials FASC signs callbacks with."""

    model_config = ConfigDict(extra="forbid")

    app_id: str = Field(min_length=1, description="FASC appId the callbacks must name.")
    app_secret: SecretStr = Field(description="FASC appSecret.", json_schema_extra={"airbyte_secret": True})
    tolerance_seconds: int = Field(default=300, ge=1, le=3600, description="Accepted X-FASC-Timestamp skew.")


def _canonical(headers: Mapping[str, str]) -> dict[str, str | None]:
    return {
        _HEADER_NAMES.get(k, k): v
        for k, v in headers.items()
        if k.startswith("x-fasc-") and k != "x-fasc-sign"
    }


class FadadaCallbackReceiver:
    """Verifies, parses and acknowledges FASC v5.1 callbacks."""

    def __init__(self, config: FadadaCallbackConfig, *, name: str = SYSTEM) -> None:
        self.config = config
        self.name = name

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, name: str = SYSTEM) -> FadadaCallbackReceiver:
        """Build from a plain mapping (secrets already resolved by the caller)."""
        return cls(FadadaCallbackConfig.model_validate(config), name=name)

    def _reject(self, message: str, status: int) -> WebhookRejected:
        reply = Ack(status, json.dumps({"msg": "fail", "reason": message}).encode(), "application/json")
        return WebhookRejected(message, system=self.name, status=status, reply=reply)

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> InboundEvent:
        """Size, headers, app id, signature, timestamp, content type, then shape."""
        headers = lower_headers(headers)
        if len(body) > MAX_BODY_BYTES:
            raise self._reject("body too large", 413)
        if missing := [_HEADER_NAMES[h] for h in _REQUIRED if not headers.get(h)]:
            raise self._reject(f"missing header(s) {', '.join(missing)}", 401)
        if headers["x-fasc-sign-type"] != "HMAC-SHA256":
            raise self._reject("unsupported X-FASC-Sign-Type", 401)
        if not hmac.compare_digest(headers["x-fasc-app-id"].encode(), self.config.app_id.encode()):
            raise self._reject("unknown X-FASC-App-Id", 401)
        biz_content = self._biz_content(body)
        stamp = headers["x-fasc-timestamp"]
        params = {**_canonical(headers), "bizContent": biz_content}
        expected = sign(self.config.app_secret.get_secret_value(), stamp, params)
        if not hmac.compare_digest(expected.encode(), headers[SIGN_HEADER.lower()].strip().lower().encode()):
            raise self._reject("signature does not match", 401)
        if not stamp.isdigit() or abs(now.timestamp() - int(stamp) / 1000) > self.config.tolerance_seconds:
            raise self._reject(
                f"X-FASC-Timestamp outside the {self.config.tolerance_seconds} s tolerance", 401
            )
        if "application/x-www-form-urlencoded" not in headers.get("content-type", ""):
            raise self._reject("content type must be application/x-www-form-urlencoded", 415)
        event = self.parse(headers, body)
        return InboundEvent(
            event.event_id, event.event_type, event.payload, datetime.fromtimestamp(int(stamp) / 1000, UTC)
        )

    def _biz_content(self, body: bytes) -> str | None:
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
        except (UnicodeDecodeError, ValueError):
            raise self._reject("body is not a form", 400) from None
        values = form.get("bizContent")
        return values[0] if values else None

    def parse(self, headers: Mapping[str, str], body: bytes) -> InboundEvent:
        """The event of an (already verified) callback."""
        headers = lower_headers(headers)
        raw = self._biz_content(body)
        if not raw:
            raise self._reject("form has no bizContent", 400)
        try:
            payload = json.loads(raw)
        except json.JSONDecodeError:
            raise self._reject("bizContent is not valid JSON", 400) from None
        if not isinstance(payload, dict):
            raise self._reject("bizContent must be a JSON object", 400)
        kind = headers.get("x-fasc-event", "")
        digest = hashlib.sha256(f"{kind}\n{raw}".encode()).hexdigest()
        return InboundEvent(f"fasc:{digest}", kind or None, payload)

    def ack(self, event: InboundEvent, *, duplicate: bool) -> Ack:
        """``{"msg":"success"}`` with HTTP 200, duplicates too (FASC must stop resending)."""
        return Ack(200, SUCCESS_REPLY, "application/json")

    def to_changes(self, event: InboundEvent) -> list[dict[str, Any]]:
        """One ``contracts`` row for a sign-task event about one of our contracts.

        The change carries ``keep_furthest`` (see :mod:`connectors.esign_docusign.contract_status`)
        so a late ``sign_progress`` never moves a signed contract backwards.
        """
        payload = event.payload
        status = TASK_STATUS.get(str(payload.get("signTaskStatus"))) or EVENT_STATUS.get(
            event.event_type or ""
        )
        dealer, _, contract_no = str(payload.get("transReferenceId") or "").partition(":")
        task_id = payload.get("signTaskId")
        if status is None or not dealer or not contract_no or not task_id:
            return []
        row: dict[str, Any] = {
            "contract_no": contract_no,
            "dealer_code": dealer,
            "provider": SYSTEM,
            "external_id": str(task_id),
            "status": status,
        }
        if status == "signed":
            row["signed_at"] = _event_time(payload.get("eventTime")) or event.occurred_at
        return [{"entity": "contracts", "row": row, "keep_furthest": {"status": STATUS_RANK}}]


def _event_time(value: Any) -> datetime | None:
    """FASC times are epoch milliseconds (as a number or digits)."""
    if isinstance(value, int | str) and str(value).isdigit():
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    return None
