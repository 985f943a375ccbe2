"""A SANDBOX standing in for WeChat Pay's notification sender — not WeChat Pay; tests and demos only.

It generates a platform RSA key pair and an APIv3 key when created (nothing secret is ever
committed), encrypts resources with AES-256-GCM and signs ``timestamp\\nnonce\\nbody\\n`` the
way WeChat Pay v3 does, and can replay, reorder and corrupt what it sent.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import secrets
import string
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from connectors.payment_wechatpay.receiver import SIGNATURE_TYPE

__all__ = ["Delivery", "WechatPaySandbox"]

CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Delivery:
    """One notification as it goes over the wire."""

    headers: dict[str, str]
    body: bytes


def _random_text(length: int) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))


class WechatPaySandbox:
    """Encrypts and signs WeChat Pay v3-style notifications with keys generated at run time."""

    def __init__(self, *, mchid: str = "1900000001", appid: str = "wx0000000000000001") -> None:
        self.mchid = mchid
        self.appid = appid
        self.serial = secrets.token_hex(20).upper()
        self.apiv3_key = _random_text(32)
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._ids = itertools.count(1)
        self.sent: list[Delivery] = []

    @property
    def public_key_pem(self) -> str:
        """The sandbox's platform public key."""
        return (
            self._key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def receiver_config(self, **overrides: Any) -> dict[str, Any]:
        """A receiver config trusting this sandbox's platform key under its serial."""
        return {
            "mchid": self.mchid,
            "apiv3_key": self.apiv3_key,
            "platform_public_keys": {self.serial: self.public_key_pem},
            **overrides,
        }

    def encrypt(self, plain: dict[str, Any], associated_data: str = "transaction") -> dict[str, str]:
        """An ``encrypt-resource`` object for ``plain``."""
        nonce = _random_text(12)
        data = json.dumps(plain, ensure_ascii=False).encode()
        cipher = AESGCM(self.apiv3_key.encode()).encrypt(nonce.encode(), data, associated_data.encode())
        return {
            "original_type": associated_data,
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(cipher).decode(),
            "nonce": nonce,
            "associated_data": associated_data,
        }

    def signed_headers(
        self, body: bytes, *, at: int | None = None, nonce: str | None = None
    ) -> dict[str, str]:
        """The Wechatpay-* headers for ``body`` sent at unix time ``at``."""
        stamp = str(int(time.time()) if at is None else at)
        nonce = nonce or _random_text(32)
        message = f"{stamp}\n{nonce}\n".encode() + body + b"\n"
        signature = self._key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        return {
            "Content-Type": "application/json",
            "Wechatpay-Serial": self.serial,
            "Wechatpay-Signature": base64.b64encode(signature).decode(),
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature-Type": SIGNATURE_TYPE,
        }

    def _send(
        self, event_type: str, summary: str, plain: dict[str, Any], kind: str, at: int | None
    ) -> Delivery:
        notification = {
            "id": f"sandbox-{next(self._ids):08d}-{os.urandom(4).hex()}",
            "create_time": datetime.now(CHINA).isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": self.encrypt(plain, kind),
        }
        body = json.dumps(notification, ensure_ascii=False).encode()
        delivery = Delivery(self.signed_headers(body, at=at), body)
        self.sent.append(delivery)
        return delivery

    def payment(
        self, out_trade_no: str, total_fen: int, *, trade_state: str = "SUCCESS", at: int | None = None
    ) -> Delivery:
        """A ``TRANSACTION.SUCCESS`` notification for ``total_fen`` fen."""
        plain = {
            "mchid": self.mchid,
            "appid": self.appid,
            "out_trade_no": out_trade_no,
            "transaction_id": f"42000{next(self._ids):023d}",
            "trade_type": "NATIVE",
            "trade_state": trade_state,
            "trade_state_desc": "支付成功",
            "bank_type": "OTHERS",
            "success_time": datetime.now(CHINA).isoformat(timespec="seconds"),
            "payer": {"openid": "sandbox-openid"},
            "amount": {
                "total": total_fen,
                "payer_total": total_fen,
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }
        return self._send("TRANSACTION.SUCCESS", "支付成功", plain, "transaction", at)

    def refund(
        self, out_trade_no: str, total_fen: int, refund_fen: int, *, at: int | None = None
    ) -> Delivery:
        """A ``REFUND.SUCCESS`` notification refunding ``refund_fen`` of ``total_fen``."""
        serial = next(self._ids)
        plain = {
            "mchid": self.mchid,
            "out_trade_no": out_trade_no,
            "transaction_id": f"42000{serial:023d}",
            "out_refund_no": f"RF{serial:06d}",
            "refund_id": f"50300{serial:024d}",
            "refund_status": "SUCCESS",
            "success_time": datetime.now(CHINA).isoformat(timespec="seconds"),
            "user_received_account": "支付用户零钱",
            "amount": {
                "total": total_fen,
                "refund": refund_fen,
                "payer_total": total_fen,
                "payer_refund": refund_fen,
            },
        }
        return self._send("REFUND.SUCCESS", "退款成功", plain, "refund", at)

    @staticmethod
    def corrupt(
        delivery: Delivery, *, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Delivery:
        """``delivery`` with its body replaced or headers changed after signing."""
        return replace(
            delivery,
            headers={**delivery.headers, **(headers or {})},
            body=delivery.body if body is None else body,
        )

    def replay(self, index: int = -1) -> Delivery:
        """A notification already sent, sent again byte for byte."""
        return self.sent[index]

    def reordered(self) -> list[Delivery]:
        """Everything sent so far, newest first."""
        return list(reversed(self.sent))
