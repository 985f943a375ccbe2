"""Alipay async notifications: verify RSA2 with Alipay's public key, reply ``success``/``fail``.

Alipay POSTs ``application/x-www-form-urlencoded`` fields to our ``notify_url`` and retries
(for about 25 h) until the body is the plain text ``success``. Verification follows
``AlipaySignature.rsaCheckV1``: drop ``sign``/``sign_type`` and empty values, sort, join
``k=v&…`` over the URL-decoded values, check SHA256withRSA. Alipay signs every merchant's
notifications with the same key, so the ``app_id`` (and ``seller_id`` when configured) must
be ours too. Alipay sends no timestamp header: ``notify_time`` (inside the signed fields,
Beijing time) is checked against a tolerance covering Alipay's retry window.

``out_trade_no`` is our payment reference, ``<order_no>-D1`` (deposit), ``-B1`` (balance)
or ``-F1`` (full). A refund notification (``refund_fee``/``gmt_refund``/``out_biz_no``)
yields a separate ``refunded`` row ``<reference>-R`` carrying the cumulative refunded
amount, so a refund processed before its payment still nets out correctly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from canonical_model.errors import ConfigError, ValidationError
from connectors.payment_alipay.signing import load_public_key, signing_content, verify_signature
from connectors.webhook import MAX_BODY_BYTES, Ack, InboundEvent, WebhookRejected, lower_headers

__all__ = ["AlipayNotifyConfig", "AlipayNotifyReceiver", "order_no_of", "parse_form"]

SYSTEM = "payment-alipay"
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
FORM = "application/x-www-form-urlencoded"
SUCCEEDED = {"TRADE_SUCCESS", "TRADE_FINISHED"}
REFUND_FIELDS = ("refund_fee", "gmt_refund", "out_biz_no")
_REFERENCE = re.compile(r"^(?P<order>.+)-[DBF]\d+$")


class AlipayNotifyConfig(BaseModel):
    """Which app the notifications are for and Alipay's public key to check them with."""

    model_config = ConfigDict(extra="forbid")

    app_id: str = Field(min_length=1, description="Our Alipay app id; other apps' notifications are refused.")
    alipay_public_key: str = Field(
        min_length=1, description="Alipay's RSA2 public key (PEM or the console's base64 body), not ours."
    )
    seller_id: str | None = Field(default=None, description="Our seller (PID); checked when given.")
    tolerance_seconds: int = Field(
        default=90_000, ge=60, le=7 * 86_400, description="Max age of notify_time (covers 25 h of retries)."
    )


def order_no_of(reference: str) -> str:
    """The order number in our payment reference (``SO-1-D1`` → ``SO-1``; no suffix → itself)."""
    match = _REFERENCE.match(reference)
    return match["order"] if match else reference


def parse_form(body: bytes, charset: str = "utf-8") -> dict[str, str]:
    """The URL-decoded fields of a form body; ValueError if it is not a well-formed form."""
    text = body.decode(charset)  # UnicodeDecodeError is a ValueError
    pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, encoding=charset, errors="strict")
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise ValueError("a field appears twice")
    return fields


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"').lower()
    return "utf-8"


def _beijing_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA).astimezone(UTC)


class AlipayNotifyReceiver:
    """Verifies, parses and acknowledges Alipay's async notifications."""

    def __init__(self, config: AlipayNotifyConfig, *, name: str = SYSTEM) -> None:
        self.config = config
        self.name = name
        try:
            self._public_key: rsa.RSAPublicKey = load_public_key(config.alipay_public_key)
        except ValueError:
            raise ConfigError(f"{name}: alipay_public_key is not an RSA public key") from None

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, name: str = SYSTEM) -> AlipayNotifyReceiver:
        """Build from a plain config mapping (as in the webhooks file)."""
        try:
            return cls(AlipayNotifyConfig.model_validate(config), name=name)
        except PydanticValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_input=False)
            )
            raise ConfigError(f"{name} config: {problems}") from None

    def _reject(self, message: str, status: int) -> WebhookRejected:
        # Alipay only reads the body: anything but "success" makes it retry.
        return WebhookRejected(message, system=self.name, status=status, reply=Ack(status, b"fail"))

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> InboundEvent:
        """Size, content type, form, signature, app, age — the first failure is the answer."""
        headers = lower_headers(headers)
        if len(body) > MAX_BODY_BYTES:
            raise self._reject("body too large", 413)
        content_type = headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != FORM:
            raise self._reject(f"content type must be {FORM}", 415)
        fields = self._fields(body, content_type)
        signature = fields.get("sign", "")
        if not signature:
            raise self._reject("missing sign", 401)
        if fields.get("sign_type", "RSA2") != "RSA2":
            raise self._reject("sign_type must be RSA2", 401)
        if not verify_signature(signing_content(fields), signature, self._public_key):
            raise self._reject("signature does not match Alipay's public key", 401)
        if fields.get("app_id") != self.config.app_id:
            raise self._reject("notification is for another app_id", 401)
        if self.config.seller_id is not None and fields.get("seller_id") != self.config.seller_id:
            raise self._reject("notification is for another seller_id", 401)
        try:
            sent = _beijing_time(fields.get("notify_time", ""))
        except ValueError:
            raise self._reject("missing or malformed notify_time", 400) from None
        if abs((now - sent).total_seconds()) > self.config.tolerance_seconds:
            raise self._reject(f"notify_time outside the {self.config.tolerance_seconds} s tolerance", 401)
        event = self._event(fields)
        return InboundEvent(event.event_id, event.event_type, event.payload, sent)

    def _fields(self, body: bytes, content_type: str) -> dict[str, str]:
        try:
            return parse_form(body, _charset(content_type))
        except (ValueError, LookupError):
            raise self._reject("body is not a well-formed form", 400) from None

    def _event(self, fields: dict[str, str]) -> InboundEvent:
        reference, status = fields.get("out_trade_no", ""), fields.get("trade_status", "")
        if not reference or not status:
            raise self._reject("out_trade_no and trade_status are required", 400)
        event_id = fields.get("notify_id") or f"{reference}:{status}:{fields.get('gmt_payment', '')}"
        kind = "REFUND" if any(fields.get(f) for f in REFUND_FIELDS) else status
        return InboundEvent(event_id[:128], kind, fields)

    def parse(self, headers: Mapping[str, str], body: bytes) -> InboundEvent:
        """The event of a delivery that already passed :meth:`verify` (read back from the inbox)."""
        headers = lower_headers(headers)
        return self._event(self._fields(body, headers.get("content-type", FORM)))

    def ack(self, event: InboundEvent, *, duplicate: bool) -> Ack:
        """Plain ``success`` — duplicates too, or Alipay keeps resending."""
        return Ack(200, b"success")

    def to_changes(self, event: InboundEvent) -> list[dict[str, Any]]:
        """The payment row (and the refund row of a refund notification); nothing for WAIT_BUYER_PAY."""
        fields = event.payload
        reference, status = str(fields["out_trade_no"]), str(fields["trade_status"])
        refund = event.event_type == "REFUND"
        if status not in SUCCEEDED and status != "TRADE_CLOSED":
            return []  # WAIT_BUYER_PAY: nothing to record (and never downgrade a later state)
        trade_no = fields.get("trade_no") or None
        payment = {
            "payment_no": reference,
            "channel": "alipay",
            "external_id": trade_no,
            "order_no": order_no_of(reference),
            "amount": _money(fields.get("total_amount"), "total_amount"),
            "currency": "CNY",
            "status": "succeeded" if refund or status in SUCCEEDED else "closed",
            "paid_at": _optional_time(fields.get("gmt_payment")),
        }
        changes: list[dict[str, Any]] = [{"entity": "payments", "row": payment}]
        if refund:
            refund_row = {
                **payment,
                "payment_no": f"{reference}-R",
                "external_id": f"{trade_no}-R" if trade_no and len(trade_no) <= 62 else None,
                "amount": _money(fields.get("refund_fee"), "refund_fee"),
                "status": "refunded",
                "paid_at": _optional_time(fields.get("gmt_refund")),
            }
            changes.append({"entity": "payments", "row": refund_row})
        return changes


def _money(value: object, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(f"Alipay notify: {field} {value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(f"Alipay notify: {field} {value!r} is not an amount")
    return amount


def _optional_time(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return _beijing_time(str(value)[:19])
    except ValueError:
        raise ValidationError(f"Alipay notify: {value!r} is not a time") from None
