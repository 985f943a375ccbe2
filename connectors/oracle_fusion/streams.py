"""Streams of the ``oracle-fusion`` source: sales order headers and their lines.

Both read ``salesOrdersForOrderHub`` incrementally by ``LastUpdateDate`` (lines with
``expand=lines``, carrying their header's ``LastUpdateDate`` as cursor). The headers
stream with ``with_lines=True`` reads whole documents for the ``erp-orders`` flow: each
header with a ``lines`` column holding its lines as Fusion sends them. Field names are
Fusion's own (interfaces.md 2.1); ``OrderKey`` is derived as ``SourceTransactionSystem:
SourceTransactionId``. ``StatusCode``, ``LastUpdateDate`` and the line fields ``ProductNumber``,
``OrderedQuantity``, ``OrderedUOMCode`` and ``UnitSellingPrice`` are not confirmed in
interfaces.md: a missing one reads as null. Quantities and prices are exact decimal strings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

import pandas as pd

from connectors.contract import HubStream, Page
from connectors.oracle_fusion.client import CURSOR_FIELD, FusionClient, order_key
from connectors.state import Lookback

__all__ = ["HEADER_COLUMNS", "LINE_COLUMNS", "SalesOrderLinesStream", "SalesOrdersStream"]

_TIMESTAMP = {"type": ["string", "null"], "format": "date-time", "airbyte_type": "timestamp_with_timezone"}
_INT = {"type": ["integer", "null"]}
_TEXT = {"type": ["string", "null"]}
_DECIMAL = {"type": ["string", "null"], "description": "exact decimal, as text"}

HEADER_COLUMNS: dict[str, Mapping[str, Any]] = {
    "HeaderId": _INT,
    "OrderNumber": _TEXT,
    "OrderKey": _TEXT,
    "SourceTransactionSystem": _TEXT,
    "SourceTransactionId": _TEXT,
    "SourceTransactionNumber": _TEXT,
    "SourceTransactionRevisionNumber": _INT,
    "BusinessUnitId": _INT,
    "BusinessUnitName": _TEXT,
    "BuyingPartyId": _INT,
    "BuyingPartyNumber": _TEXT,
    "BuyingPartyName": _TEXT,
    "TransactionalCurrencyCode": _TEXT,
    "TransactionOn": _TIMESTAMP,
    "StatusCode": _TEXT,
    CURSOR_FIELD: _TIMESTAMP,
}
LINE_COLUMNS: dict[str, Mapping[str, Any]] = {
    "HeaderId": _INT,
    "LineId": _INT,
    "FulfillLineId": _INT,
    "OrderKey": _TEXT,
    "SourceTransactionSystem": _TEXT,
    "SourceTransactionNumber": _TEXT,
    "SourceTransactionLineId": _TEXT,
    "SourceTransactionLineNumber": _TEXT,
    "ProductNumber": _TEXT,
    "OrderedQuantity": _DECIMAL,
    "OrderedUOMCode": _TEXT,
    "UnitSellingPrice": _DECIMAL,
    CURSOR_FIELD: _TIMESTAMP,
}


def _schema(columns: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": {name: dict(prop) for name, prop in columns.items()},
    }


class _FusionStream(HubStream):
    cursor_field: ClassVar[str | list[str]] = CURSOR_FIELD
    cursor_type = "datetime"
    columns: ClassVar[Mapping[str, Mapping[str, Any]]]
    expand_lines = False

    def __init__(
        self, client: FusionClient, *, start_date: datetime | None, lookback: Lookback = None
    ) -> None:
        super().__init__(lookback=lookback)
        self._client = client
        self._start_date = start_date

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """Pages of rows whose order has ``LastUpdateDate >= since``."""
        lower: datetime | None = since if since is not None else self._start_date
        for page in self._client.pages(since=lower, expand_lines=self.expand_lines):
            rows = [row for item in page.items for row in self.rows(item)]
            yield Page(self.frame(rows), page.offset)

    def frame(self, rows: list[dict[str, Any]]) -> pd.DataFrame:
        """The page's rows as a typed frame."""
        return _frame(rows, self.columns)

    def rows(self, item: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The stream's rows for one order of the collection."""
        raise NotImplementedError


class SalesOrdersStream(_FusionStream):
    """``sales_orders``: one row per order header (primary key ``HeaderId``); with its lines
    in a ``lines`` column when ``with_lines``."""

    name = "sales_orders"
    primary_key: ClassVar[str | list[str]] = "HeaderId"
    columns = HEADER_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = _schema(HEADER_COLUMNS)

    def __init__(
        self,
        client: FusionClient,
        *,
        start_date: datetime | None,
        lookback: Lookback = None,
        with_lines: bool = False,
    ) -> None:
        super().__init__(client, start_date=start_date, lookback=lookback)
        self.expand_lines = with_lines

    def rows(self, item: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The header, with its ``OrderKey`` (and its lines, when expanded)."""
        row = {**{name: item.get(name) for name in HEADER_COLUMNS}, "OrderKey": _key(item)}
        if self.expand_lines:
            row["lines"] = list(_lines(item))
        yield row

    def frame(self, rows: list[dict[str, Any]]) -> pd.DataFrame:
        """The headers, plus the ``lines`` column when expanded."""
        frame = _frame(rows, self.columns)
        if self.expand_lines:
            frame["lines"] = pd.Series([row["lines"] for row in rows], index=frame.index, dtype=object)
        return frame


class SalesOrderLinesStream(_FusionStream):
    """``sales_order_lines``: one row per order line (primary key ``HeaderId`` + ``LineId``)."""

    name = "sales_order_lines"
    primary_key: ClassVar[str | list[str]] = ["HeaderId", "LineId"]
    columns = LINE_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = _schema(LINE_COLUMNS)
    expand_lines = True

    def rows(self, item: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Each expanded line with its header's keys and ``LastUpdateDate``."""
        header = {
            "HeaderId": item.get("HeaderId"),
            "OrderKey": _key(item),
            "SourceTransactionSystem": item.get("SourceTransactionSystem"),
            "SourceTransactionNumber": item.get("SourceTransactionNumber"),
            CURSOR_FIELD: item.get(CURSOR_FIELD),
        }
        for line in _lines(item):
            yield {**{name: line.get(name) for name in LINE_COLUMNS}, **header}


def _lines(item: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The expanded lines of an order: a child collection envelope, or a bare list (both seen)."""
    lines = item.get("lines")
    if isinstance(lines, Mapping):
        lines = lines.get("items")
    for line in lines if isinstance(lines, list) else []:
        if isinstance(line, Mapping):
            yield dict(line)


def _key(item: Mapping[str, Any]) -> str | None:
    system, source_id = item.get("SourceTransactionSystem"), item.get("SourceTransactionId")
    return order_key(str(system), str(source_id)) if system and source_id is not None else None


def _frame(rows: list[dict[str, Any]], columns: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    for name, prop in columns.items():
        if prop is _INT:
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("Int64")
        elif prop is _TIMESTAMP:
            frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601", errors="coerce")
        else:
            frame[name] = frame[name].map(_text, na_action="ignore").astype(object)
    return frame


def _text(value: Any) -> Any:
    return value if isinstance(value, str) else str(value)
