"""快递100 signatures (interfaces.md §6.1).

- real-time query: ``sign = UPPER(MD5(param + key + customer))``
- push callback:   ``sign = UPPER(MD5(param + salt))``

``param`` is the exact JSON text sent (or received): sign the string, never a re-serialisation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["dumps", "push_sign", "query_sign"]


def dumps(param: Mapping[str, Any]) -> str:
    """``param`` as compact JSON (UTF-8 text, not \\u-escaped), the string that gets signed."""
    return json.dumps(param, ensure_ascii=False, separators=(",", ":"))


def _md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def query_sign(param: str, *, key: str, customer: str) -> str:
    """The ``sign`` of a real-time query."""
    return _md5_upper(param + key + customer)


def push_sign(param: str, *, salt: str) -> str:
    """The ``sign`` 快递100 puts on a push to the callback URL."""
    return _md5_upper(param + salt)
