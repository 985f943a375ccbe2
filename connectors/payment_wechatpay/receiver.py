"""WeChat Pay API v3 notifications: verify, then decrypt; reply ``{"code":"SUCCESS"}``.

Headers ``Wechatpay-Serial``/``-Signature``/``-Timestamp``/``-Nonce`` sign
``f"{timestamp}\\n{nonce}\\n{body}\\n"`` with SHA256withRSA under the platform key the serial
names (config: serial → PEM; an unknown serial is refused, never fetched on demand). The
timestamp must be within the tolerance. Only then is ``resource`` decrypted with the APIv3
key (AES-256-GCM, ``associated_data`` authenticated). WeChat wants an answer within 5 s.

Amounts are in fen (``amount.total``) and become Decimal yuan. ``out_trade_no`` is our payment
reference (``<order_no>-D1``/``-B1``/``-F1``). A ``REFUND.SUCCESS`` notification yields a
separate ``refunded`` row ``<reference>-R-<out_refund_no>`` with that refund's amount, so
refunds arriving before their payment still net out.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic import ValidationError as PydanticValidationError

from canonical_model.errors import ConfigError, ValidationError
from connectors.webhook import MAX_BODY_BYTES, Ack, InboundEvent, WebhookRejected, lower_headers

__all__ = ["WechatPayNotifyConfig", "WechatPayNotifyReceiver", "decrypt_resource", "order_no_of"]

SYSTEM = "payment-wechatpay"
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
REQUIRED_HEADERS = ("wechatpay-serial", "wechatpay-signature", "wechatpay-timestamp", "wechatpay-nonce")
TRADE_STATES = {"SUCCESS": "succeeded", "REFUND": "succeeded", "CLOSED": "closed", "PAYERROR": "failed"}
_REFERENCE = re.compile(r"^(?P<order>.+)-[DBF]\d+$")


class WechatPayNotifyConfig(BaseModel):
    """Our merchant, the APIv3 key and the platform public keys we trust."""

    model_config = ConfigDict(extra="forbid")

    mchid: str = Field(min_length=1, description="Our merchant id; notifications for others are refused.")
    apiv3_key: SecretStr = Field(
        description="APIv3 key (32 bytes) decrypting the resource.",
        json_schema_extra={"airbyte_secret": True},
    )
    platform_public_keys: dict[str, str] = Field(
        min_length=1, description="Wechatpay-Serial (platform cert serial or public-key id) → public key PEM."
    )
    tolerance_seconds: int = Field(default=300, ge=1, le=3600, description="Max |now - Wechatpay-Timestamp|.")

    @field_validator("apiv3_key")
    @classmethod
    def _thirty_two_bytes(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value().encode()) != 32:
            raise ValueError("the APIv3 key must be 32 bytes")
        return value


def order_no_of(reference: str) -> str:
    """The order number in our payment reference (``SO-1-D1`` → ``SO-1``; no suffix → itself)."""
    match = _REFERENCE.match(reference)
    return match["order"] if match else reference


def decrypt_resource(resource: Mapping[str, Any], apiv3_key: bytes) -> dict[str, Any]:
    """The plaintext JSON object of an ``encrypt-resource``; ValueError if it does not decrypt."""
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise ValueError("unsupported resource algorithm")
    try:
        plain = AESGCM(apiv3_key).decrypt(
            str(resource["nonce"]).encode(),
            base64.b64decode(str(resource["ciphertext"]), validate=True),
            str(resource.get("associated_data") or "").encode(),
        )
        data = json.loads(plain)
    except (KeyError, InvalidTag, binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"resource does not decrypt ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise ValueError("resource plaintext is not an object")
    return data


def _fail(message: str, status: int, system: str) -> WebhookRejected:
    reply = json.dumps({"code": "FAIL", "message": message}, ensure_ascii=False).encode()
    return WebhookRejected(
        message, system=system, status=status, reply=Ack(status, reply, "application/json")
    )


class WechatPayNotifyReceiver:
    """Verifies, decrypts and acknowledges WeChat Pay v3 notifications."""

    def __init__(self, config: WechatPayNotifyConfig, *, name: str = SYSTEM) -> None:
        self.config = config
        self.name = name
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        for serial, pem in config.platform_public_keys.items():
            try:
                key = serialization.load_pem_public_key(pem.encode())
            except ValueError:
                key = None
            if not isinstance(key, rsa.RSAPublicKey):
                raise ConfigError(f"{name}: platform key {serial!r} is not an RSA public key PEM")
            self._keys[serial] = key

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, name: str = SYSTEM) -> WechatPayNotifyReceiver:
        """Build from a plain config mapping (secrets already resolved by the caller)."""
        try:
            return cls(WechatPayNotifyConfig.model_validate(config), name=name)
        except PydanticValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_input=False)
            )
            raise ConfigError(f"{name} config: {problems}") from None

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> InboundEvent:
        """Size, headers, serial, signature, timestamp, content type, then decrypt and check."""
        headers = lower_headers(headers)
        if len(body) > MAX_BODY_BYTES:
            raise _fail("body too large", 413, self.name)
        missing = [h for h in REQUIRED_HEADERS if not headers.get(h)]
        if missing:
            raise _fail(f"missing header {missing[0]}", 401, self.name)
        if headers.get("wechatpay-signature-type", SIGNATURE_TYPE) != SIGNATURE_TYPE:
            raise _fail("unsupported Wechatpay-Signature-Type", 401, self.name)
        key = self._keys.get(headers["wechatpay-serial"])
        if key is None:
            raise _fail("unknown Wechatpay-Serial", 401, self.name)
        stamp, nonce = headers["wechatpay-timestamp"], headers["wechatpay-nonce"]
        message = f"{stamp}\n{nonce}\n".encode() + body + b"\n"
        try:
            signature = base64.b64decode(headers["wechatpay-signature"], validate=True)
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error, ValueError):
            raise _fail("signature does not match the platform key", 401, self.name) from None
        if not stamp.isdigit() or abs(now.timestamp() - int(stamp)) > self.config.tolerance_seconds:
            raise _fail(f"timestamp outside the {self.config.tolerance_seconds} s tolerance", 401, self.name)
        if "application/json" not in headers.get("content-type", "").lower():
            raise _fail("content type must be application/json", 415, self.name)
        event = self.parse(headers, body)
        return InboundEvent(
            event.event_id, event.event_type, event.payload, datetime.fromtimestamp(int(stamp), UTC)
        )

    def parse(self, headers: Mapping[str, str], body: bytes) -> InboundEvent:
        """The event with its decrypted resource (``payload["resource_plain"]``)."""
        try:
            notification = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _fail("body is not valid JSON", 400, self.name) from None
        if not isinstance(notification, dict) or not notification.get("id"):
            raise _fail("body must be a notification object with an id", 400, self.name)
        resource = notification.get("resource")
        if not isinstance(resource, dict):
            raise _fail("notification has no resource", 400, self.name)
        try:
            plain = decrypt_resource(resource, self.config.apiv3_key.get_secret_value().encode())
        except ValueError as exc:
            raise _fail(str(exc), 400, self.name) from None
        if plain.get("mchid") != self.config.mchid:
            raise _fail("notification is for another mchid", 401, self.name)
        if not plain.get("out_trade_no"):
            raise _fail("resource has no out_trade_no", 400, self.name)
        payload = {k: v for k, v in notification.items() if k != "resource"} | {"resource_plain": plain}
        return InboundEvent(str(notification["id"])[:128], str(notification.get("event_type") or ""), payload)

    def ack(self, event: InboundEvent, *, duplicate: bool) -> Ack:
        """``{"code":"SUCCESS","message":"成功"}`` — duplicates too, or WeChat keeps resending."""
        return Ack(
            200,
            json.dumps({"code": "SUCCESS", "message": "成功"}, ensure_ascii=False).encode(),
            "application/json",
        )

    def to_changes(self, event: InboundEvent) -> list[dict[str, Any]]:
        """A payment row for TRANSACTION.*, a refund row for REFUND.SUCCESS; nothing otherwise."""
        plain: Mapping[str, Any] = event.payload["resource_plain"]
        reference = str(plain["out_trade_no"])
        amount = plain.get("amount") or {}
        base = {
            "channel": "wechat",
            "order_no": order_no_of(reference),
            "currency": amount.get("currency") or "CNY",
        }
        kind = event.event_type or ""
        if kind.startswith("REFUND."):
            if kind != "REFUND.SUCCESS" or plain.get("refund_status", "SUCCESS") != "SUCCESS":
                return []  # REFUND.ABNORMAL / REFUND.CLOSED: no money moved
            refund_no = str(plain.get("out_refund_no") or plain.get("refund_id") or "")
            row = base | {
                "payment_no": f"{reference}-R-{refund_no}"[:64],
                "external_id": plain.get("refund_id"),
                "amount": _yuan(amount.get("refund"), "amount.refund"),
                "status": "refunded",
                "paid_at": _time(plain.get("success_time")),
            }
            return [{"entity": "payments", "row": row}]
        status = TRADE_STATES.get(str(plain.get("trade_state")))
        if status is None:
            return []  # NOTPAY / USERPAYING: nothing to record yet
        row = base | {
            "payment_no": reference,
            "external_id": plain.get("transaction_id"),
            "amount": _yuan(amount.get("total"), "amount.total"),
            "status": status,
            "paid_at": _time(plain.get("success_time")) if status == "succeeded" else None,
        }
        return [{"entity": "payments", "row": row}]


def _yuan(fen: object, field: str) -> Decimal:
    if not isinstance(fen, int) or isinstance(fen, bool) or fen < 0:
        raise ValidationError(f"WeChat Pay notify: {field} {fen!r} is not an amount in fen")
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _time(value: object) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"WeChat Pay notify: {value!r} is not an RFC 3339 time") from None
    if parsed.tzinfo is None:
        raise ValidationError(f"WeChat Pay notify: {value!r} has no offset")
    return parsed.astimezone(UTC)
