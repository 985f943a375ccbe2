"""Waybill tracking streams shared by the carrier connectors (快递100, 顺丰).

A carrier connector supplies a :class:`TrackingApi` (``tracks(waybills)`` → one
:class:`Track` per waybill); this module turns tracks into two streams:

- ``waybills`` (→ ``shipments``): one row per tracked waybill with its current canonical
  status, the carrier's own state code, the last event time and, once delivered, when.
- ``tracking_events`` (→ ``shipment_events``): every route event, normalised through
  :mod:`connectors.carrier_status` with the carrier's code kept; incremental by
  ``event_time``, one cursor per waybill.

Both streams of one ``hub_streams()`` call share a :class:`TrackCache`, so each waybill is
queried once per sync (carrier queries are billed and rate limited).

The waybills come from the config (:class:`TrackedWaybill`): the flow that builds the config
knows them from the shipments the WMS confirmed. ``shipment_no`` defaults to the waybill number.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from connectors.carrier_status import CarrierTable, normalise
from connectors.contract import HubStream, Page
from connectors.state import Lookback
from connectors.vendor_kit import ColumnKind, object_schema

__all__ = [
    "EVENT_COLUMNS",
    "WAYBILL_COLUMNS",
    "Track",
    "TrackCache",
    "TrackEvent",
    "TrackedWaybill",
    "TrackingApi",
    "TrackingEventsStream",
    "WaybillsStream",
    "event_rows",
    "waybill_row",
]


class TrackedWaybill(BaseModel):
    """One waybill to track, and the hub shipment it belongs to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: str = Field(min_length=1, max_length=32, description="The carrier's waybill number.")
    company: str | None = Field(
        None,
        pattern=r"^[a-z0-9]+$",
        description="快递100 company code (shunfeng, yuantong, zhongtong, jd...).",
    )
    phone: str | None = Field(
        None, pattern=r"^[0-9]{4}$", description="Last 4 digits of the receiver's phone (顺丰 asks for them)."
    )
    shipment_no: str | None = Field(
        None, min_length=1, max_length=40, description="The hub shipment; defaults to the waybill number."
    )

    @property
    def key(self) -> str:
        """The hub shipment number this waybill's events belong to."""
        return self.shipment_no or self.number


@dataclass(frozen=True)
class TrackEvent:
    """One route event as the carrier reported it (time already aware UTC)."""

    time: datetime
    code: str | None
    description: str
    location: str | None = None


@dataclass(frozen=True)
class Track:
    """Everything the carrier knows about one waybill."""

    waybill: TrackedWaybill
    carrier_code: str
    events: tuple[TrackEvent, ...]
    state: str | None = None
    """The carrier's overall state code; ``None``: the newest event's code stands for it."""


class TrackingApi(Protocol):
    """What a carrier client offers the tracking streams."""

    table: CarrierTable

    def tracks(self, waybills: Sequence[TrackedWaybill]) -> Iterator[Track]:
        """One track per waybill (in any order); raise hub errors."""
        ...


class TrackCache:
    """Tracks of one sync, fetched once on first use and shared by both streams."""

    def __init__(self, api: TrackingApi, waybills: Sequence[TrackedWaybill]) -> None:
        self.api = api
        self.waybills = list(waybills)
        self._tracks: dict[str, Track] | None = None

    @property
    def keys(self) -> list[str]:
        """Shipment numbers of the tracked waybills, in config order."""
        return [waybill.key for waybill in self.waybills]

    def all(self) -> dict[str, Track]:
        """Shipment number → track (queried on the first call)."""
        if self._tracks is None:
            self._tracks = {track.waybill.key: track for track in self.api.tracks(self.waybills)}
        return self._tracks


EVENT_COLUMNS: Mapping[str, ColumnKind] = {
    "shipment_no": "string",
    "carrier_code": "string",
    "waybill_no": "string",
    "event_time": "date-time",
    "carrier_status_code": "string",
    "status": "string",
    "description": "string",
    "location": "string",
}
WAYBILL_COLUMNS: Mapping[str, ColumnKind] = {
    "shipment_no": "string",
    "carrier_code": "string",
    "waybill_no": "string",
    "carrier_state_code": "string",
    "status": "string",
    "last_event_time": "date-time",
    "delivered_at": "date-time",
    "event_count": "integer",
}


def event_rows(track: Track, table: CarrierTable) -> list[dict[str, Any]]:
    """The track's events as ``tracking_events`` rows, oldest first."""
    return [
        {
            "shipment_no": track.waybill.key,
            "carrier_code": track.carrier_code,
            "waybill_no": track.waybill.number,
            "event_time": event.time,
            "carrier_status_code": event.code,
            "status": normalise(table, event.code),
            "description": event.description,
            "location": event.location,
        }
        for event in sorted(track.events, key=lambda e: e.time)
    ]


def waybill_row(track: Track, table: CarrierTable) -> dict[str, Any]:
    """The track summarised as one ``waybills`` row."""
    events = sorted(track.events, key=lambda e: e.time)
    state = track.state if track.state is not None else (events[-1].code if events else None)
    status = "created" if state is None and not events else normalise(table, state)
    delivered = [e.time for e in events if normalise(table, e.code) == "delivered"]
    return {
        "shipment_no": track.waybill.key,
        "carrier_code": track.carrier_code,
        "waybill_no": track.waybill.number,
        "carrier_state_code": state,
        "status": status,
        "last_event_time": events[-1].time if events else None,
        "delivered_at": delivered[0] if delivered and status == "delivered" else None,
        "event_count": len(events),
    }


def _frame(rows: Iterable[Mapping[str, Any]], columns: Mapping[str, ColumnKind]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(list(rows), columns=list(columns))
    for name, kind in columns.items():
        if kind == "date-time":
            frame[name] = pd.to_datetime(frame[name], utc=True)
        elif kind == "integer":
            frame[name] = frame[name].astype("int64")
        else:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame


class WaybillsStream(HubStream):
    """``waybills``: the current state of every tracked waybill (a snapshot, no cursor)."""

    name = "waybills"
    primary_key: ClassVar[str | list[str]] = "shipment_no"
    json_schema: ClassVar[Mapping[str, Any]] = object_schema(WAYBILL_COLUMNS)

    def __init__(self, cache: TrackCache, *, lookback: Lookback = None) -> None:
        super().__init__(lookback=lookback)
        self._cache = cache

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """One page with a row per waybill, in config order."""
        tracks = self._cache.all()
        table = self._cache.api.table
        rows = [waybill_row(tracks[key], table) for key in self._cache.keys if key in tracks]
        yield Page(_frame(rows, WAYBILL_COLUMNS), f"waybills=1..{len(rows)}")


class TrackingEventsStream(HubStream):
    """``tracking_events``: route events per waybill, incremental by ``event_time``."""

    name = "tracking_events"
    primary_key: ClassVar[str | list[str]] = ["shipment_no", "event_time", "carrier_status_code"]
    cursor_field: ClassVar[str | list[str]] = "event_time"
    cursor_type = "datetime"
    partition_field: ClassVar[str | None] = "shipment_no"
    json_schema: ClassVar[Mapping[str, Any]] = object_schema(EVENT_COLUMNS)

    def __init__(self, cache: TrackCache, *, lookback: Lookback = None) -> None:
        super().__init__(lookback=lookback)
        self._cache = cache

    def partitions(self) -> Iterable[str]:
        """One partition (and one cursor) per tracked shipment."""
        return self._cache.keys

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """The waybill's events with ``event_time >= since``, oldest first."""
        track = self._cache.all().get(str(partition))
        if track is None:
            return
        rows = [
            row
            for row in event_rows(track, self._cache.api.table)
            if since is None or row["event_time"] >= since
        ]
        yield Page(_frame(rows, EVENT_COLUMNS), f"waybill={track.waybill.number}")
