"""A SANDBOX standing in for Alipay's notify sender — not Alipay, for tests and demos only.

It generates its own RSA key pair when created (no private key is ever committed), signs
notifications the way Alipay does (RSA2 over the sorted ``k=v&…`` content) and can
replay, reorder and corrupt what it sent.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.payment_alipay.receiver import CHINA, FORM
from connectors.payment_alipay.signing import sign_content, signing_content

__all__ = ["AlipaySandbox", "Delivery"]


@dataclass(frozen=True)
class Delivery:
    """One notification as it goes over the wire."""

    fields: dict[str, str]
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": f"{FORM}; charset=utf-8"})

    @property
    def body(self) -> bytes:
        """The form-encoded body."""
        return urlencode(self.fields).encode("utf-8")


def _beijing(at: datetime) -> str:
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


class AlipaySandbox:
    """Signs Alipay-style async notifications with a key pair generated at run time."""

    def __init__(self, *, app_id: str = "2021000000000001", seller_id: str = "2088000000000001") -> None:
        self.app_id = app_id
        self.seller_id = seller_id
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._ids = itertools.count(1)
        self.sent: list[Delivery] = []

    @property
    def public_key_pem(self) -> str:
        """The sandbox's public key, what the receiver is configured with as "Alipay's" key."""
        return (
            self._key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def receiver_config(self, **overrides: Any) -> dict[str, Any]:
        """A receiver config trusting this sandbox."""
        return {"app_id": self.app_id, "alipay_public_key": self.public_key_pem, **overrides}

    def sign(self, fields: dict[str, str]) -> dict[str, str]:
        """``fields`` with ``sign_type`` and ``sign`` added, as Alipay signs them."""
        signed = {**fields, "sign_type": "RSA2"}
        signed["sign"] = sign_content(signing_content(signed), self._key)
        return signed

    def _send(self, fields: dict[str, str]) -> Delivery:
        delivery = Delivery(self.sign(fields))
        self.sent.append(delivery)
        return delivery

    def _base(
        self, out_trade_no: str, total: Decimal | str, at: datetime | None, notify_id: str | None
    ) -> dict[str, str]:
        at = at or datetime.now(UTC)
        serial = next(self._ids)
        return {
            "notify_time": _beijing(at),
            "notify_type": "trade_status_sync",
            "notify_id": notify_id or f"sandbox{serial:010d}",
            "app_id": self.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": f"2026112222001{serial:015d}",
            "out_trade_no": out_trade_no,
            "buyer_id": "2088102177846880",
            "seller_id": self.seller_id,
            "total_amount": str(total),
            "receipt_amount": str(total),
            "buyer_pay_amount": str(total),
            "gmt_create": _beijing(at),
            "gmt_payment": _beijing(at),
            "subject": f"订单 {out_trade_no}",
        }

    def payment(
        self,
        out_trade_no: str,
        total: Decimal | str,
        *,
        trade_status: str = "TRADE_SUCCESS",
        at: datetime | None = None,
        notify_id: str | None = None,
    ) -> Delivery:
        """A payment notification (``TRADE_SUCCESS`` unless told otherwise)."""
        fields = self._base(out_trade_no, total, at, notify_id)
        fields["trade_status"] = trade_status
        if trade_status == "TRADE_CLOSED":
            del fields["gmt_payment"]
        return self._send(fields)

    def refund(
        self,
        out_trade_no: str,
        total: Decimal | str,
        refund_fee: Decimal | str,
        *,
        at: datetime | None = None,
        notify_id: str | None = None,
    ) -> Delivery:
        """A refund notification (cumulative ``refund_fee``; TRADE_CLOSED when fully refunded)."""
        fields = self._base(out_trade_no, total, at, notify_id)
        full = Decimal(str(refund_fee)) >= Decimal(str(total))
        fields.update(
            trade_status="TRADE_CLOSED" if full else "TRADE_SUCCESS",
            refund_fee=str(refund_fee),
            gmt_refund=_beijing(at or datetime.now(UTC)),
            out_biz_no=f"{out_trade_no}-REFUND",
        )
        return self._send(fields)

    @staticmethod
    def corrupt(delivery: Delivery, **changes: str) -> Delivery:
        """``delivery`` with fields changed after signing (a tampered notification)."""
        return replace(delivery, fields={**delivery.fields, **changes})

    def replay(self, index: int = -1) -> Delivery:
        """A notification already sent, sent again byte for byte."""
        return self.sent[index]

    def reordered(self) -> list[Delivery]:
        """Everything sent so far, newest first."""
        return list(reversed(self.sent))
