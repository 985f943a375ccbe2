"""EPCIS 2.0 events as plain JSON dicts, and their CBV 2.0 hash event ids.

Every event the hub writes gets an ``eventID`` computed from its content (``ni:///sha-256;
<hex>?ver=CBV2.0``): recording the same fact twice yields the same id, which is what makes
:func:`~dms_core.tracing.store.record_events` idempotent and scans safe to resend.

The pre-hash string follows the CBV 2.0 event-hash algorithm's shape — event type, time in
UTC with milliseconds, offset, then the properties in canonical order with EPCs in canonical
GS1 Digital Link form, CBV values as web URIs, lists sorted and concatenated without
separators. It covers the properties the hub writes and reads (plus extensions); it has not
been checked against the reference implementation's test vectors.

:func:`scan_event` builds the one shape terminal scans have without the generic walk — bulk
verification makes one per scan — and yields exactly what :func:`object_event` would.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import quote

from canonical_model.errors import InvalidIdentifier
from canonical_model.identifiers import parse_sscc, sgtin_digital_link, sscc_digital_link
from dms_core.tracing.codes import normalize_epc
from dms_core.tracing.vocab import (
    CBV_BIZSTEP,
    CBV_BTT,
    CBV_DISP,
    CBV_SDT,
    format_time,
    parse_time,
)

__all__ = ["Event", "aggregation_event", "event_hash_id", "item_link", "object_event", "scan_event"]

Event = dict[str, Any]

_GS1_RESOLVER: Final = "https://id.gs1.org"
#: Properties that do not take part in the hash (they describe the record, not the fact).
_NOT_HASHED: Final = frozenset({"@context", "eventID", "recordTime", "errorDeclaration", "certificationInfo"})
_ORDER: Final = (
    "epcList",
    "parentID",
    "childEPCs",
    "quantityList",
    "childQuantityList",
    "action",
    "bizStep",
    "disposition",
    "persistentDisposition",
    "readPoint",
    "bizLocation",
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "ilmd",
)


@functools.lru_cache(maxsize=65536)
def _canonical_epc(uri: str) -> str:
    """The canonical Digital Link of an SGTIN/SSCC (``https://id.gs1.org/…``); other URIs as they are."""
    try:
        epc = normalize_epc(uri)
    except InvalidIdentifier:
        return uri
    if epc.kind == "case":
        return sscc_digital_link(parse_sscc(epc.code))
    assert epc.gtin is not None and epc.serial is not None
    return sgtin_digital_link(epc.gtin, epc.serial)


def item_link(gtin: str, serial: str) -> str:
    """The canonical Digital Link of an item whose GTIN-14 and serial were validated already.

    What :func:`~canonical_model.identifiers.sgtin_digital_link` returns, without checking the
    check digit again: for a code the hub stores, that was done when it was commissioned.
    """
    escaped = serial if serial.isascii() and serial.isalnum() else quote(serial, safe="")
    return f"{_GS1_RESOLVER}/01/{gtin}/21/{escaped}"


def _vocab(prefix: str, value: str) -> str:
    return value if ":" in value else prefix + value


def _flat(value: Any) -> str:
    """Nested values as sorted ``key=value`` runs (ilmd, extensions, quantity elements)."""
    if isinstance(value, Mapping):
        return "".join(sorted(f"{k}={_flat(v)}" for k, v in value.items()))
    if isinstance(value, list):
        return "".join(sorted(_flat(v) for v in value))
    return str(value).strip()


def _part(name: str, value: Any) -> str:
    if name in ("epcList", "childEPCs"):
        return name + "".join(sorted(f"epc={_canonical_epc(v)}" for v in value))
    if name == "parentID":
        return f"parentID={_canonical_epc(value)}"
    if name == "bizStep":
        return f"bizStep={_vocab(CBV_BIZSTEP, value)}"
    if name == "disposition":
        return f"disposition={_vocab(CBV_DISP, value)}"
    if name in ("readPoint", "bizLocation"):
        return f"{name}id={value['id']}"
    if name == "bizTransactionList":
        items = (
            f"bizTransaction={t['bizTransaction']}type={_vocab(CBV_BTT, t.get('type', ''))}" for t in value
        )
        return name + "".join(sorted(items))
    if name in ("sourceList", "destinationList"):
        key = "source" if name == "sourceList" else "destination"
        items = (f"{key}={s[key]}type={_vocab(CBV_SDT, s['type'])}" for s in value)
        return name + "".join(sorted(items))
    return f"{name}{_flat(value)}"


def _hash_time(moment: datetime) -> str:
    """``eventTime=…Z``: the instant (in UTC) to the millisecond."""
    if moment.year >= 1000:  # isoformat pads the year to four digits, strftime does not
        return f"eventTime={moment.replace(tzinfo=None).isoformat(timespec='milliseconds')}Z"
    return f"eventTime={moment.strftime('%Y-%m-%dT%H:%M:%S.')}{moment.microsecond // 1000:03d}Z"


def _hash_id(parts: Iterable[str]) -> str:
    return f"ni:///sha-256;{hashlib.sha256(''.join(parts).encode('utf-8')).hexdigest()}?ver=CBV2.0"


def event_hash_id(event: Mapping[str, Any]) -> str:
    """The CBV 2.0 style hash id of ``event`` (``ni:///sha-256;…?ver=CBV2.0``)."""
    parts = [
        f"eventType={event['type']}",
        _hash_time(parse_time(str(event["eventTime"]))),
        f"eventTimeZoneOffset={event['eventTimeZoneOffset']}",
    ]
    parts += [_part(name, event[name]) for name in _ORDER if event.get(name) not in (None, [], {})]
    extensions = sorted(k for k in event if k not in _NOT_HASHED and k not in _ORDER and k != "type")
    extensions = [k for k in extensions if k not in ("eventTime", "eventTimeZoneOffset")]
    parts += [f"{k}={_flat(event[k])}" for k in extensions]
    return _hash_id(parts)


def _common(
    event_type: str,
    action: str,
    event_time: datetime,
    offset: str,
    biz_step: str | None,
    disposition: str | None,
    read_point: str | None,
    biz_location: str | None,
) -> Event:
    event: Event = {
        "type": event_type,
        "eventTime": format_time(event_time, offset),
        "eventTimeZoneOffset": offset,
        "action": action,
    }
    if biz_step:
        event["bizStep"] = biz_step
    if disposition:
        event["disposition"] = disposition
    if read_point:
        event["readPoint"] = {"id": read_point}
    if biz_location:
        event["bizLocation"] = {"id": biz_location}
    return event


def _finish(
    event: Event,
    transactions: Iterable[tuple[str, str]],
    sources: Iterable[tuple[str, str]],
    destinations: Iterable[tuple[str, str]],
    extensions: Mapping[str, Any] | None,
) -> Event:
    if tx := [{"type": kind, "bizTransaction": uri} for kind, uri in transactions]:
        event["bizTransactionList"] = tx
    if src := [{"type": kind, "source": uri} for kind, uri in sources]:
        event["sourceList"] = src
    if dst := [{"type": kind, "destination": uri} for kind, uri in destinations]:
        event["destinationList"] = dst
    event.update(extensions or {})
    event["eventID"] = event_hash_id(event)
    return event


def object_event(
    action: str,
    epcs: Sequence[str],
    *,
    event_time: datetime,
    biz_step: str | None = None,
    disposition: str | None = None,
    offset: str = "+08:00",
    read_point: str | None = None,
    biz_location: str | None = None,
    transactions: Iterable[tuple[str, str]] = (),
    sources: Iterable[tuple[str, str]] = (),
    destinations: Iterable[tuple[str, str]] = (),
    ilmd: Mapping[str, Any] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> Event:
    """An ObjectEvent on ``epcs`` (``ilmd`` only with ADD, as the standard says)."""
    event = _common(
        "ObjectEvent", action, event_time, offset, biz_step, disposition, read_point, biz_location
    )
    event["epcList"] = list(epcs)
    if ilmd:
        event["ilmd"] = dict(ilmd)
    return _finish(event, transactions, sources, destinations, extensions)


def aggregation_event(
    action: str,
    parent: str,
    children: Sequence[str],
    *,
    event_time: datetime,
    biz_step: str | None = None,
    disposition: str | None = None,
    offset: str = "+08:00",
    read_point: str | None = None,
    biz_location: str | None = None,
    transactions: Iterable[tuple[str, str]] = (),
) -> Event:
    """An AggregationEvent: ``children`` put into (ADD) or taken out of (DELETE) ``parent``."""
    event = _common(
        "AggregationEvent", action, event_time, offset, biz_step, disposition, read_point, biz_location
    )
    event["parentID"] = parent
    event["childEPCs"] = list(children)
    return _finish(event, transactions, (), (), None)


def scan_event(
    epc: str,
    *,
    event_time: datetime,
    biz_step: str,
    disposition: str | None = None,
    read_point: str | None = None,
    extensions: Mapping[str, Any],
    link: str | None = None,
) -> Event:
    """``object_event("OBSERVE", [epc], …)`` for a terminal scan: the same dict, the same id.

    Only that shape — one EPC, no transactions, sources, destinations or ilmd, namespaced
    (``prefix:name``) extensions — so the pre-hash string is written straight out instead of
    walking every EPCIS property. ``link`` is the EPC's canonical Digital Link when the caller
    knows it (:func:`item_link` of a stored code); otherwise it is derived from ``epc``.
    """
    if any(":" not in name for name in extensions):
        raise ValueError(f"scan_event extensions must be namespaced, got {sorted(extensions)}")
    offset = "+08:00"
    event: Event = {
        "type": "ObjectEvent",
        "eventTime": format_time(event_time, offset),
        "eventTimeZoneOffset": offset,
        "action": "OBSERVE",
    }
    parts = [
        "eventType=ObjectEvent",
        _hash_time(event_time.astimezone(UTC)),
        f"eventTimeZoneOffset={offset}",
        f"epcListepc={link or _canonical_epc(epc)}",
        "actionOBSERVE",
    ]
    if biz_step:
        event["bizStep"] = biz_step
        parts.append(f"bizStep={_vocab(CBV_BIZSTEP, biz_step)}")
    if disposition:
        event["disposition"] = disposition
        parts.append(f"disposition={_vocab(CBV_DISP, disposition)}")
    if read_point:
        event["readPoint"] = {"id": read_point}
        parts.append(f"readPointid={read_point}")
    event["epcList"] = [epc]
    event.update(extensions)
    for name in sorted(extensions):
        value = extensions[name]
        parts.append(f"{name}={value.strip() if isinstance(value, str) else _flat(value)}")
    event["eventID"] = _hash_id(parts)
    return event
