"""顺丰 丰桥 ``msgDigest`` (interfaces.md §6.3).

``msgDigest = Base64(MD5(msgData + timestamp + checkword))`` over the raw 16-byte digest;
``timestamp`` is milliseconds. Some clients (the official Java demo among them) URL-encode the
text first, as ``java.net.URLEncoder`` does: :func:`java_url_encode` reproduces that byte for
byte (space → ``+``, ``*`` kept, ``~`` encoded).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Literal
from urllib.parse import quote_plus

__all__ = ["DigestVariant", "java_url_encode", "msg_digest"]

DigestVariant = Literal["plain", "urlencoded"]


def java_url_encode(text: str) -> str:
    """``URLEncoder.encode(text, "UTF-8")``."""
    return quote_plus(text, safe="*", encoding="utf-8").replace("~", "%7E")


def msg_digest(msg_data: str, timestamp: str, checkword: str, *, variant: DigestVariant = "plain") -> str:
    """The ``msgDigest`` form field for one request."""
    text = msg_data + timestamp + checkword
    if variant == "urlencoded":
        text = java_url_encode(text)
    digest = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")
