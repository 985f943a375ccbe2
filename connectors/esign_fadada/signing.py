"""FASC OpenAPI v5.1 request and callback signature (two-step HMAC-SHA256).

1. The non-empty parameters — the ``X-FASC-*`` headers except ``X-FASC-Sign``, plus
   ``bizContent`` — sorted by name (ASCII) and joined as ``k=v&…``;
2. ``signText = sha256_hex(that string)``;
3. ``key = HMAC-SHA256(appSecret, timestamp)`` (raw bytes; ``timestamp`` is the
   ``X-FASC-Timestamp`` value, milliseconds);
4. ``sign = hex(HMAC-SHA256(key, signText))`` (64 characters).

Callbacks are verified with the same algorithm over their headers and ``bizContent``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping

__all__ = ["SIGN_HEADER", "canonical_string", "fasc_headers", "new_nonce", "sign"]

SIGN_HEADER = "X-FASC-Sign"


def canonical_string(params: Mapping[str, str | None]) -> str:
    """``k=v&…`` of the non-empty ``params`` (without the signature), sorted by name."""
    return "&".join(
        f"{k}={v}"
        for k, v in sorted(params.items())
        if v not in (None, "") and k.lower() != SIGN_HEADER.lower()
    )


def sign(app_secret: str, timestamp: str, params: Mapping[str, str | None]) -> str:
    """The ``X-FASC-Sign`` of ``params`` (headers and ``bizContent``) at ``timestamp``."""
    sign_text = hashlib.sha256(canonical_string(params).encode()).hexdigest()
    key = hmac.new(app_secret.encode(), timestamp.encode(), hashlib.sha256).digest()
    return hmac.new(key, sign_text.encode(), hashlib.sha256).hexdigest()


def new_nonce() -> str:
    """A 32-character random nonce (FASC refuses repeats within 10 minutes)."""
    return secrets.token_hex(16)


def fasc_headers(
    app_id: str,
    app_secret: str,
    biz_content: str | None,
    *,
    timestamp_ms: int,
    nonce: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """All ``X-FASC-*`` headers of one request or callback, ``X-FASC-Sign`` included."""
    headers = {
        "X-FASC-App-Id": app_id,
        "X-FASC-Sign-Type": "HMAC-SHA256",
        "X-FASC-Timestamp": str(timestamp_ms),
        "X-FASC-Nonce": nonce or new_nonce(),
        **(extra or {}),
    }
    params: dict[str, str | None] = {**headers, "bizContent": biz_content}
    headers[SIGN_HEADER] = sign(app_secret, headers["X-FASC-Timestamp"], params)
    return headers
