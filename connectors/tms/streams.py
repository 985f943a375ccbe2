"""Streams of the ``tms`` source: waybills (by update time) and vehicle positions (by GPS time)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

import pandas as pd

from connectors.contract import HubStream, Page
from connectors.errors import FatalConnectorError
from connectors.state import Lookback
from connectors.tms.client import POSITIONS_PATH, WAYBILLS_PATH, TmsClient
from connectors.tms.errors import SYSTEM
from connectors.vendor_kit import ColumnKind, object_schema, parse_beijing

__all__ = ["VehiclePositionsStream", "WaybillsStream"]

WAYBILL_COLUMNS: Mapping[str, ColumnKind] = {
    "waybill_no": "string",
    "shipment_no": "string",
    "order_no": "string",
    "carrier_code": "string",
    "plate_num": "string",
    "status": "string",
    "status_name": "string",
    "origin_code": "string",
    "destination": "string",
    "departed_at": "date-time",
    "eta": "date-time",
    "arrived_at": "date-time",
    "update_time": "date-time",
}
POSITION_COLUMNS: Mapping[str, ColumnKind] = {
    "plate_num": "string",
    "gps_time": "date-time",
    "waybill_no": "string",
    "shipment_no": "string",
    "lat": "number",
    "lng": "number",
    "speed": "number",
    "address": "string",
    "remaining_km": "number",
    "eta": "date-time",
}


def _frame(rows: list[dict[str, Any]], columns: Mapping[str, ColumnKind]) -> pd.DataFrame:
    records = []
    for row in rows:
        record: dict[str, Any] = {}
        for name, kind in columns.items():
            value = row.get(name)
            if kind == "date-time":
                try:
                    record[name] = parse_beijing(value)
                except ValueError as exc:
                    raise FatalConnectorError(
                        f"{SYSTEM}: {name} {value!r} is not a timestamp", system=SYSTEM
                    ) from exc
            elif kind == "number":
                record[name] = None if value in (None, "") else float(value)
            else:
                record[name] = None if value in (None, "") else str(value)
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(columns))
    for name, kind in columns.items():
        if kind == "date-time":
            frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


class _TmsStream(HubStream):
    cursor_type = "datetime"
    path: ClassVar[str]
    since_param: ClassVar[str]
    columns: ClassVar[Mapping[str, ColumnKind]]

    def __init__(self, client: TmsClient, *, lookback: Lookback = None) -> None:
        super().__init__(lookback=lookback)
        self._client = client

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """Pages of rows changed at or after ``since``, oldest first."""
        start: datetime = since if since is not None else self._client.config.start_time
        for page_no, rows in self._client.pages(self.path, since_param=self.since_param, since=start):
            yield Page(_frame(rows, self.columns), f"{self.path}?page_no={page_no}")


class WaybillsStream(_TmsStream):
    """``waybills``: the TMS's waybills (status, vehicle, ETA), incremental by ``update_time``."""

    name = "waybills"
    primary_key: ClassVar[str | list[str]] = "waybill_no"
    cursor_field: ClassVar[str | list[str]] = "update_time"
    path = WAYBILLS_PATH
    since_param = "update_time_from"
    columns = WAYBILL_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = object_schema(WAYBILL_COLUMNS)


class VehiclePositionsStream(_TmsStream):
    """``vehicle_positions``: GPS fixes with the TMS's ETA, incremental by ``gps_time``."""

    name = "vehicle_positions"
    primary_key: ClassVar[str | list[str]] = ["plate_num", "gps_time"]
    cursor_field: ClassVar[str | list[str]] = "gps_time"
    path = POSITIONS_PATH
    since_param = "gps_time_from"
    columns = POSITION_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = object_schema(POSITION_COLUMNS)
