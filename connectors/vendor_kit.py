"""Small pieces every Chinese vendor API connector needs: Beijing time and vendor error codes.

- Vendor APIs (FLUX, G7/易流, 快递100, 顺丰) speak local time without an offset
  (``yyyy-MM-dd HH:mm:ss``, UTC+8): :func:`beijing_text` and :func:`parse_beijing` convert at
  the edge, so everything inside the hub is aware UTC.
- Vendors answer errors with their own codes inside a 200 response (``S001``, ``503``,
  ``A1006``...). Each connector keeps a table ``code → VendorCode(error class, meaning)`` as
  data (like :data:`connectors.error_mapping.DEFAULT_ERROR_MAPPING` for HTTP statuses) and
  raises through :func:`vendor_error`; the classes derive from :class:`VendorError` *and* the
  hub's fatal/retriable/auth errors, so callers can catch either way and read ``.code``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

from connectors.errors import ConnectorError

__all__ = [
    "BEIJING",
    "ColumnKind",
    "VendorCode",
    "VendorError",
    "VendorPage",
    "beijing_text",
    "object_schema",
    "paginate",
    "parse_beijing",
    "vendor_error",
]

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
"""China Standard Time (no daylight saving): the zone of every vendor timestamp here."""

_FORMAT = "%Y-%m-%d %H:%M:%S"


def beijing_text(moment: datetime) -> str:
    """``moment`` (aware) as ``yyyy-MM-dd HH:mm:ss`` in Beijing time."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware datetime")
    return moment.astimezone(BEIJING).strftime(_FORMAT)


def parse_beijing(text: str | None) -> datetime | None:
    """A vendor timestamp as an aware UTC datetime; ``None`` for a blank value.

    Accepts ``yyyy-MM-dd HH:mm:ss`` (and ISO-8601); a value without an offset is Beijing time.
    Raises ``ValueError`` for text that is not a timestamp.
    """
    if text is None or not str(text).strip():
        return None
    parsed = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BEIJING)
    return parsed.astimezone(UTC)


class VendorError(ConnectorError):
    """An error a vendor reported with its own code (kept in ``code``).

    Concrete classes also derive from the hub's error kinds, e.g.
    ``class FluxSignatureError(VendorError, AuthenticationError)``.
    """

    def __init__(self, message: str, *, system: str, code: str, status_code: int | None = None) -> None:
        super().__init__(message, system=system, status_code=status_code)
        self.code = code


@dataclass(frozen=True)
class VendorCode:
    """What one vendor code means and which typed error it raises."""

    error: type[VendorError]
    meaning: str


def vendor_error(
    table: Mapping[str, VendorCode],
    code: str,
    *,
    system: str,
    fallback: type[VendorError],
    detail: str = "",
    status_code: int | None = None,
) -> VendorError:
    """The typed error for ``code`` (``fallback`` for a code the table does not list).

    The message reads ``system: code meaning: detail`` on one line; ``detail`` is the vendor's
    own text, which must not hold secrets (vendors echo request data, never credentials).
    """
    entry = table.get(code)
    meaning = entry.meaning if entry is not None else "unknown error code"
    flat = " ".join(detail.split())[:300]
    extra = f": {flat}" if flat and flat != meaning else ""
    cls = entry.error if entry is not None else fallback
    return cls(
        f"{system}: error {code} ({meaning}){extra}", system=system, code=code, status_code=status_code
    )


ColumnKind = Literal["string", "number", "integer", "boolean", "date-time", "array"]


def object_schema(columns: Mapping[str, ColumnKind]) -> dict[str, Any]:
    """A stream's JSON schema: one nullable property per column (vendors omit fields freely)."""
    properties: dict[str, Any] = {}
    for name, kind in columns.items():
        if kind == "date-time":
            properties[name] = {
                "type": ["null", "string"],
                "format": "date-time",
                "airbyte_type": "timestamp_with_timezone",
            }
        elif kind == "array":
            properties[name] = {"type": ["null", "array"], "items": {"type": "object"}}
        else:
            properties[name] = {"type": ["null", kind]}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": properties,
    }


@dataclass(frozen=True)
class VendorPage:
    """One page of a numbered-page listing: its rows and the total the vendor reported, if any."""

    rows: list[dict[str, Any]]
    total: int | None


def paginate(
    fetch: Callable[[int], VendorPage], *, page_size: int
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """``(page number, rows)`` from page 1 until the reported total (or, without one, a short page).

    The total wins over page length: an API that caps the page size below ours sends full
    pages shorter than we asked for. An empty page always ends the listing.
    """
    page_no, seen = 1, 0
    while True:
        page = fetch(page_no)
        yield page_no, page.rows
        seen += len(page.rows)
        if not page.rows:
            return
        if seen >= page.total if page.total is not None else len(page.rows) < page_size:
            return
        page_no += 1
