"""OData V2 (SAP Gateway) value formats: ``/Date(...)/``, ``$filter`` literals, error bodies.

- ``Edm.DateTime`` arrives as ``/Date(1546992000000)/`` and ``Edm.DateTimeOffset`` as
  ``/Date(1700000000000+0000)/``: milliseconds since the epoch in UTC; the suffix is the
  offset (in minutes) the value was recorded in and does not shift the instant.
- ``$filter`` literals: strings in single quotes (a quote doubled), instants as
  ``datetimeoffset'2024-05-01T08:00:00Z'``.
- Errors: ``{"error": {"code": "V1/392", "message": {"lang": "en", "value": "..."},
  "innererror": {"errordetails": [{"code": ..., "message": ..., "severity": "error"}]}}}``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

__all__ = [
    "datetimeoffset_literal",
    "error_messages",
    "odata_date",
    "odata_datetime",
    "string_literal",
    "to_odata_date",
]

_DATE = re.compile(r"^/Date\((-?\d+)(?:([+-])(\d{4}))?\)/$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def odata_datetime(value: Any) -> datetime | None:
    """``/Date(1700000000000+0000)/`` → aware UTC datetime; None for null or blank.

    ISO 8601 text (as the V4 successor and ``$format=json`` proxies send) is accepted too.
    ``ValueError`` for anything else.
    """
    if value is None or value == "":
        return None
    text = str(value).strip()
    match = _DATE.match(text)
    if match:
        return _EPOCH + timedelta(milliseconds=int(match.group(1)))
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def odata_date(value: Any) -> date | None:
    """An ``Edm.DateTime`` that holds a calendar date (``/Date(1546992000000)/``) → date."""
    instant = odata_datetime(value)
    return instant.date() if instant is not None else None


def to_odata_date(value: datetime | date) -> str:
    """A date or aware datetime as ``/Date(ms)/`` (for request bodies and the sandbox)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    milliseconds = (value - _EPOCH) // timedelta(milliseconds=1)
    return f"/Date({milliseconds})/"


def string_literal(value: str) -> str:
    """A ``$filter`` string literal."""
    return "'" + value.replace("'", "''") + "'"


def datetimeoffset_literal(value: datetime) -> str:
    """A ``$filter`` ``Edm.DateTimeOffset`` literal in UTC, e.g. ``datetimeoffset'2024-05-01T08:00:00Z'``."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    utc = value.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond // 1000:03d}"
    return f"datetimeoffset'{text}Z'"


def error_messages(body: Any) -> list[str]:
    """SAP Gateway's error body as messages: the main one, then each distinct detail."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return []
    messages: list[str] = []
    main = error.get("message")
    text = main.get("value") if isinstance(main, dict) else main
    code = str(error.get("code") or "").strip()
    if text:
        messages.append(f"{code}: {text}" if code else str(text))
    inner = error.get("innererror")
    details = inner.get("errordetails") if isinstance(inner, dict) else None
    for detail in details or []:
        if not isinstance(detail, dict) or not detail.get("message"):
            continue
        line = f"{detail.get('code')}: {detail['message']}" if detail.get("code") else str(detail["message"])
        if line not in messages:
            messages.append(line)
    return messages
