"""Streams of the ``wms-flux`` source: FLUX field names kept, values as the WMS sent them.

Quantities stay text (the WMS sends ``"350"``, ``"12.5"``): the mappings cast them to exact
decimals, so nothing passes through a float. Ship times are Beijing time at the WMS and aware
UTC here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

import pandas as pd

from connectors.contract import HubStream, Page
from connectors.errors import FatalConnectorError
from connectors.state import Lookback
from connectors.vendor_kit import ColumnKind, object_schema, parse_beijing
from connectors.wms_flux.client import FluxClient
from connectors.wms_flux.errors import SYSTEM

__all__ = ["InventoryStream", "ShipmentLinesStream", "ShipmentsStream"]

INVENTORY_COLUMNS: Mapping[str, ColumnKind] = {
    "WarehouseID": "string",
    "CustomerID": "string",
    "SKU": "string",
    "Lotatt01": "string",
    "Lotatt02": "string",
    "Lotatt04": "string",
    "Qty": "string",
    "QtyAllocated": "string",
    "Qty_EA": "string",
}
"""Lotatt01 production date, Lotatt02 expiry date, Lotatt04 batch number (FLUX lot attributes)."""
SHIPMENT_COLUMNS: Mapping[str, ColumnKind] = {
    "WMSOrderNo": "string",
    "OMSOrderNo": "string",
    "OrderType": "string",
    "CustomerID": "string",
    "WarehouseID": "string",
    "CarrierId": "string",
    "CarrierName": "string",
    "DeliveryNo": "string",
    "Weight": "string",
    "ShippedTime": "date-time",
    "LineCount": "integer",
}
LINE_COLUMNS: Mapping[str, ColumnKind] = {
    "WMSOrderNo": "string",
    "LineNo": "string",
    "OMSOrderNo": "string",
    "WarehouseID": "string",
    "SKU": "string",
    "QtyOrdered": "string",
    "QtyShipped": "string",
    "Lotatt04": "string",
    "ShippedTime": "date-time",
}


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value).strip()


def _frame(rows: Iterable[Mapping[str, Any]], columns: Mapping[str, ColumnKind]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(list(rows), columns=list(columns))
    for name, kind in columns.items():
        if kind == "date-time":
            frame[name] = pd.to_datetime(frame[name], utc=True)
        elif kind == "integer":
            frame[name] = frame[name].astype("int64")
    return frame


class _FluxStream(HubStream):
    partition_field: ClassVar[str | None] = "WarehouseID"

    def __init__(self, client: FluxClient, *, lookback: Lookback = None) -> None:
        super().__init__(lookback=lookback)
        self._client = client

    def partitions(self) -> Iterable[str]:
        """One partition per configured warehouse."""
        return self._client.config.warehouse_ids


class InventoryStream(_FluxStream):
    """``inventory``: stock per warehouse × SKU × lot, a full snapshot each read."""

    name = "inventory"
    primary_key: ClassVar[str | list[str]] = ["WarehouseID", "SKU", "Lotatt04"]
    json_schema: ClassVar[Mapping[str, Any]] = object_schema(INVENTORY_COLUMNS)

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """Every page of the warehouse's stock."""
        warehouse = str(partition)
        method = self._client.config.inventory_method
        for page_no, rows in self._client.pages(lambda n: self._client.query_inventory(warehouse, n)):
            records = [{name: _text(row.get(name)) for name in INVENTORY_COLUMNS} for row in rows]
            for record in records:
                record["WarehouseID"] = record["WarehouseID"] or warehouse
            yield Page(_frame(records, INVENTORY_COLUMNS), f"{method}:{warehouse}:page={page_no}")


class _ConfirmationStream(_FluxStream):
    cursor_field: ClassVar[str | list[str]] = "ShippedTime"
    cursor_type = "datetime"

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """Shipment confirmations shipped at or after ``since``, page by page."""
        warehouse = str(partition)
        start: datetime = since if since is not None else self._client.config.start_time
        for page_no, orders in self._client.pages(
            lambda n: self._client.query_shipments(warehouse, start, n)
        ):
            yield Page(self.frame(orders, warehouse), f"confirmSOData:{warehouse}:page={page_no}")

    def frame(self, orders: Sequence[Mapping[str, Any]], warehouse: str) -> pd.DataFrame:
        """The stream's rows for one page of orders."""
        raise NotImplementedError


def _items(order: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = order.get("item")
    if isinstance(items, Mapping):
        items = [items]
    return [item for item in items or () if isinstance(item, Mapping)]


def _shipped_time(order: Mapping[str, Any]) -> datetime:
    # confirmSOData carries ship times per line; the order shipped when its last line did.
    try:
        times = [parse_beijing(item.get("ShippedTime")) for item in _items(order)]
    except ValueError as exc:
        raise FatalConnectorError(
            f"{SYSTEM}: a ShippedTime is not a timestamp: {exc}", system=SYSTEM
        ) from exc
    known = [t for t in times if t is not None]
    if not known:
        raise FatalConnectorError(
            f"{SYSTEM}: order {order.get('WMSOrderNo')} has no ShippedTime", system=SYSTEM
        )
    return max(known)


class ShipmentsStream(_ConfirmationStream):
    """``shipments``: one row per shipped order (carrier, waybill ``DeliveryNo``, ship time)."""

    name = "shipments"
    primary_key: ClassVar[str | list[str]] = "WMSOrderNo"
    json_schema: ClassVar[Mapping[str, Any]] = object_schema(SHIPMENT_COLUMNS)

    def frame(self, orders: Sequence[Mapping[str, Any]], warehouse: str) -> pd.DataFrame:
        """One row per order."""
        rows = []
        for order in orders:
            row: dict[str, Any] = {name: _text(order.get(name)) for name in SHIPMENT_COLUMNS}
            row["WarehouseID"] = row["WarehouseID"] or warehouse
            row["ShippedTime"] = _shipped_time(order)
            row["LineCount"] = len(_items(order))
            rows.append(row)
        return _frame(rows, SHIPMENT_COLUMNS)


class ShipmentLinesStream(_ConfirmationStream):
    """``shipment_lines``: one row per shipped line, with the order's ship time as cursor."""

    name = "shipment_lines"
    primary_key: ClassVar[str | list[str]] = ["WMSOrderNo", "LineNo"]
    json_schema: ClassVar[Mapping[str, Any]] = object_schema(LINE_COLUMNS)

    def frame(self, orders: Sequence[Mapping[str, Any]], warehouse: str) -> pd.DataFrame:
        """One row per line of each order."""
        rows = []
        for order in orders:
            shipped = _shipped_time(order)
            for item in _items(order):
                row: dict[str, Any] = {name: _text(item.get(name)) for name in LINE_COLUMNS}
                row["WMSOrderNo"] = _text(order.get("WMSOrderNo"))
                row["OMSOrderNo"] = _text(order.get("OMSOrderNo"))
                row["WarehouseID"] = _text(order.get("WarehouseID")) or warehouse
                row["ShippedTime"] = shipped
                rows.append(row)
        return _frame(rows, LINE_COLUMNS)
