"""The EPCIS 2.0 / CBV 2.0 words the hub writes, and the hub's own URIs for parties and documents.

EPCIS wants every party, location and business document as a URI. The hub's dealers, orders,
deliveries and warehouses have natural keys, not GLNs, so they are written as ``urn:dmshub:…``
URNs (a dealer's PGLN would do as well, but most dealers have none). Extension properties use
the ``dmshub:`` prefix declared in the document's ``@context``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Final
from urllib.parse import quote, unquote

from canonical_model.errors import ValidationError

__all__ = [
    "CBV_BIZSTEP",
    "CBV_DISP",
    "EPCIS_CONTEXT",
    "EXT_GEO",
    "EXT_MISMATCH",
    "EXT_REGION",
    "HUB_NAMESPACE",
    "ILMD_EXPIRY",
    "ILMD_LOT",
    "SCAN_STEPS",
    "format_time",
    "hub_uri",
    "parse_hub_uri",
    "parse_time",
    "short_vocab",
]

EPCIS_CONTEXT_URL: Final = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
HUB_NAMESPACE: Final = "https://ns.dmshub.dev/epcis/"
#: The ``@context`` of every document the hub writes: GS1's, plus the ``dmshub:`` prefix.
EPCIS_CONTEXT: Final = [EPCIS_CONTEXT_URL, {"dmshub": HUB_NAMESPACE}]

CBV_BIZSTEP: Final = "https://ref.gs1.org/cbv/BizStep-"
CBV_DISP: Final = "https://ref.gs1.org/cbv/Disp-"
CBV_BTT: Final = "https://ref.gs1.org/cbv/BTT-"
CBV_SDT: Final = "https://ref.gs1.org/cbv/SDT-"
_URN_PREFIXES: Final = (
    "urn:epcglobal:cbv:bizstep:",
    "urn:epcglobal:cbv:disp:",
    "urn:epcglobal:cbv:btt:",
    "urn:epcglobal:cbv:sdt:",
    CBV_BIZSTEP,
    CBV_DISP,
    CBV_BTT,
    CBV_SDT,
)

#: Lot master data (CBV master-data attributes, ``cbvmda:`` in GS1's context).
ILMD_LOT: Final = "cbvmda:lotNumber"
ILMD_EXPIRY: Final = "cbvmda:itemExpirationDate"
#: Extension properties: the region a terminal scan was resolved to, its coordinates as a
#: ``geo:`` URI (RFC 5870) when the terminal sent some, and which side of a receipt mismatch.
EXT_REGION: Final = "dmshub:region"
EXT_GEO: Final = "dmshub:geo"
EXT_MISMATCH: Final = "dmshub:mismatch"

#: Business steps of terminal scans (a sale at the till, or a consumer/inspector checking).
SCAN_STEPS: Final = ("retail_selling", "inspecting")

_HUB: Final = "urn:dmshub:"
_CHINA: Final = timezone(timedelta(hours=8))


def short_vocab(value: str | None) -> str | None:
    """A CBV value in its bare EPCIS 2.0 JSON form: ``shipping`` for the URN or web-URI spellings."""
    if value is None or ":" not in value:
        return value
    for prefix in _URN_PREFIXES:
        if value.lower().startswith(prefix.lower()):
            return value[len(prefix) :]
    return value


def hub_uri(kind: str, key: str) -> str:
    """``urn:dmshub:{kind}:{key}`` for a dealer, order, delivery, location or terminal."""
    return f"{_HUB}{kind}:{quote(key, safe='')}"


def parse_hub_uri(uri: str | None, kind: str) -> str | None:
    """The key of a ``urn:dmshub:{kind}:…`` URI; None for any other URI."""
    prefix = f"{_HUB}{kind}:"
    if uri is None or not uri.startswith(prefix):
        return None
    return unquote(uri[len(prefix) :])


def format_time(moment: datetime, offset: str = "+08:00") -> str:
    """An EPCIS timestamp: milliseconds, written in the event's own time-zone offset."""
    if moment.tzinfo is None:
        raise ValidationError(f"time {moment.isoformat()} has no time zone")
    sign = 1 if offset[0] == "+" else -1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    zone = _CHINA if offset == "+08:00" else timezone(sign * timedelta(hours=hours, minutes=minutes))
    return moment.astimezone(zone).isoformat(timespec="milliseconds")


def parse_time(text: str, field: str = "eventTime") -> datetime:
    """An aware UTC datetime from an ISO 8601 / RFC 3339 timestamp; ValidationError otherwise."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValidationError(f"{field} {text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValidationError(f"{field} {text!r} has no time-zone offset")
    return moment.astimezone(UTC)
