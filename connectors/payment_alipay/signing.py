"""Alipay's RSA2 scheme: SHA256withRSA over the sorted ``k=v&…`` string of the parameters.

The same content rule serves requests (signed with the merchant's private key) and async
notifications (signed by Alipay, verified with *Alipay's* public key): drop ``sign`` and
``sign_type`` (notifications only) and empty values, sort the keys by ASCII, join the
URL-decoded values as ``k=v`` with ``&`` (the SDK's ``AlipaySignature.rsaCheckV1``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["load_public_key", "sign_content", "signing_content", "verify_signature"]


def signing_content(params: Mapping[str, str], *, exclude: tuple[str, ...] = ("sign", "sign_type")) -> str:
    """The string Alipay signs: non-empty params but ``exclude``, sorted by key, ``k=v&…``."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in exclude and params[k] != "")


def load_public_key(pem_or_base64: str) -> rsa.RSAPublicKey:
    """An RSA public key from PEM, or from the bare base64 body Alipay's console shows."""
    text = pem_or_base64.strip()
    if not text.startswith("-----"):
        text = "-----BEGIN PUBLIC KEY-----\n" + text + "\n-----END PUBLIC KEY-----\n"
    key = serialization.load_pem_public_key(text.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def sign_content(content: str, private_key: rsa.RSAPrivateKey) -> str:
    """Base64 SHA256withRSA (PKCS#1 v1.5) signature of ``content`` (UTF-8)."""
    raw = private_key.sign(content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode("ascii")


def verify_signature(content: str, signature_b64: str, public_key: rsa.RSAPublicKey) -> bool:
    """Whether ``signature_b64`` is a valid RSA2 signature of ``content`` under ``public_key``."""
    try:
        raw = base64.b64decode(signature_b64, validate=True)
        public_key.verify(raw, content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
