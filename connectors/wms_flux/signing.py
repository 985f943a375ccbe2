"""FLUX ``sign`` (interfaces.md §3.2): ``urlencode(base64(md5(appSecret + data + appSecret)))``.

Public integrator clients base64 the 32-character lowercase hex digest as text; whether the
real server wants that or the raw 16-byte digest is unverified, so both are offered. The
URL-encoding is the form encoding of the POST body (the server form-decodes it back).
``data`` is signed exactly as sent.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["SignDigest", "dumps", "flux_sign"]

SignDigest = Literal["hex", "raw"]


def dumps(payload: Mapping[str, Any]) -> str:
    """``payload`` as compact UTF-8 JSON: the ``data`` field, and the text that is signed."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def flux_sign(data: str, secret: str, *, digest: SignDigest = "hex") -> str:
    """The ``sign`` form value for ``data`` (before form encoding)."""
    md5 = hashlib.md5((secret + data + secret).encode("utf-8"), usedforsecurity=False)
    raw = md5.hexdigest().encode("ascii") if digest == "hex" else md5.digest()
    return base64.b64encode(raw).decode("ascii")
