"""Request signing for G7/易流-style TMS APIs.

- ``e6`` (interfaces.md §3.3, 易流/FanRuan doc):
  ``sign = UPPER(MD5(secret + k1 + v1 + k2 + v2 ... + secret))`` over every query parameter
  but ``sign``, sorted by name; ``timestamp`` is ``yyyy-MM-dd HH:mm:ss`` Beijing time.
- ``g7`` (G7 openapi gateway signing guide): ``stringToSign = VERB + "\\n" + Content-MD5 + "\\n"
  + Content-Type + "\\n" + timestamp_ms + "\\n" + Url_String`` where ``Url_String`` is the path,
  then ``?`` and the sorted query as ``k=v`` (a parameter without value: ``k``) joined by ``&``;
  ``Authorization: g7ac {AccessId}:{base64(HMAC-SHA256(secret, stringToSign))}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from connectors.vendor_kit import beijing_text

__all__ = ["Scheme", "e6_sign", "g7_signature", "g7_string_to_sign", "sign_request"]

Scheme = Literal["e6", "g7"]
G7_TIMESTAMP_HEADER = "X-G7-OpenAPI-Timestamp"


def e6_sign(params: Mapping[str, str], secret: str) -> str:
    """The 易流 ``sign`` of ``params`` (``sign`` itself excluded)."""
    body = "".join(f"{key}{params[key]}" for key in sorted(params) if key != "sign")
    text = f"{secret}{body}{secret}"
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def g7_string_to_sign(method: str, path: str, params: Mapping[str, str], timestamp_ms: str) -> str:
    """The G7 gateway's ``stringToSign`` for a request without a body."""
    query = "&".join(f"{key}={params[key]}" if params[key] != "" else key for key in sorted(params))
    url = f"{path}?{query}" if query else path
    return f"{method.upper()}\n\n\n{timestamp_ms}\n{url}"


def g7_signature(string_to_sign: str, secret: str) -> str:
    """``base64(HMAC-SHA256(secret, string_to_sign))``."""
    mac = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def sign_request(
    scheme: Scheme, method: str, path: str, params: Mapping[str, str], *, key: str, secret: str, now: datetime
) -> tuple[dict[str, str], dict[str, str]]:
    """(query parameters, headers) of a signed request at ``now``."""
    if scheme == "e6":
        signed = {**params, "appkey": key, "timestamp": beijing_text(now), "format": "json"}
        signed["sign"] = e6_sign(signed, secret)
        return signed, {}
    timestamp = str(int(now.timestamp() * 1000))
    signature = g7_signature(g7_string_to_sign(method, path, params, timestamp), secret)
    return dict(params), {G7_TIMESTAMP_HEADER: timestamp, "Authorization": f"g7ac {key}:{signature}"}
