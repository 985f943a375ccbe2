"""Streams of the ``oracle-ebs`` source: customer accounts and items, by ``LAST_UPDATE_DATE``.

Column names are the EBS columns they come from (see ``wsdl/XX_DMSHUB_QUERY_PUB.wsdl``).
Ids are integers, amounts exact decimal strings, ``LAST_UPDATE_DATE`` an aware UTC time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import pandas as pd

from connectors.contract import HubStream, Page
from connectors.oracle_ebs.client import EbsClient
from connectors.state import Lookback

__all__ = ["CUSTOMER_COLUMNS", "ITEM_COLUMNS", "CustomersStream", "ItemsStream"]

CURSOR_FIELD = "LAST_UPDATE_DATE"
_TIMESTAMP = {"type": ["string", "null"], "format": "date-time", "airbyte_type": "timestamp_with_timezone"}
_INT = {"type": ["integer", "null"]}
_TEXT = {"type": ["string", "null"]}
_DECIMAL = {"type": ["string", "null"], "description": "exact decimal, as text"}

CUSTOMER_COLUMNS: dict[str, Mapping[str, Any]] = {
    "CUST_ACCOUNT_ID": _INT,
    "ACCOUNT_NUMBER": _TEXT,
    "PARTY_NAME": _TEXT,
    "CUSTOMER_CLASS_CODE": _TEXT,
    "PARENT_ACCOUNT_NUMBER": _TEXT,
    "STATUS": _TEXT,
    "JGZZ_FISCAL_CODE": _TEXT,
    "OVERALL_CREDIT_LIMIT": _DECIMAL,
    "CURRENCY_CODE": _TEXT,
    "PAYMENT_TERM_NAME": _TEXT,
    CURSOR_FIELD: _TIMESTAMP,
}
ITEM_COLUMNS: dict[str, Mapping[str, Any]] = {
    "INVENTORY_ITEM_ID": _INT,
    "ORGANIZATION_ID": _INT,
    "SEGMENT1": _TEXT,
    "DESCRIPTION": _TEXT,
    "PRIMARY_UOM_CODE": _TEXT,
    "INVENTORY_ITEM_STATUS_CODE": _TEXT,
    "SHELF_LIFE_DAYS": _INT,
    "LIST_PRICE_PER_UNIT": _DECIMAL,
    "GTIN": _TEXT,
    CURSOR_FIELD: _TIMESTAMP,
}


class _EbsStream(HubStream):
    cursor_field: ClassVar[str | list[str]] = CURSOR_FIELD
    cursor_type = "datetime"
    columns: ClassVar[Mapping[str, Mapping[str, Any]]]
    operation: ClassVar[str]

    def __init__(self, client: EbsClient, *, start_date: datetime | None, lookback: Lookback = None) -> None:
        super().__init__(lookback=lookback)
        self._client = client
        self._start_date = start_date

    def filters(self) -> dict[str, Any]:
        """Extra input parameters of the read operation."""
        return {}

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """Pages of rows with ``LAST_UPDATE_DATE >= since``."""
        lower: datetime | None = since if since is not None else self._start_date
        for page in self._client.pages(self.operation, since=lower, **self.filters()):
            rows = [{name: row.get(name) for name in self.columns} for row in page.rows]
            yield Page(_frame(rows, self.columns), page.offset)


def _schema(columns: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": {name: dict(prop) for name, prop in columns.items()},
    }


class CustomersStream(_EbsStream):
    """``customers``: customer accounts (primary key ``CUST_ACCOUNT_ID``)."""

    name = "customers"
    primary_key: ClassVar[str | list[str]] = "CUST_ACCOUNT_ID"
    columns = CUSTOMER_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = _schema(CUSTOMER_COLUMNS)
    operation = "GET_CUSTOMERS"


class ItemsStream(_EbsStream):
    """``items``: items of the configured organization (primary key ``INVENTORY_ITEM_ID``)."""

    name = "items"
    primary_key: ClassVar[str | list[str]] = "INVENTORY_ITEM_ID"
    columns = ITEM_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = _schema(ITEM_COLUMNS)
    operation = "GET_ITEMS"

    def __init__(
        self,
        client: EbsClient,
        *,
        organization_id: int,
        start_date: datetime | None,
        lookback: Lookback = None,
    ) -> None:
        super().__init__(client, start_date=start_date, lookback=lookback)
        self._organization_id = organization_id

    def filters(self) -> dict[str, Any]:
        """``P_ORGANIZATION_ID``."""
        return {"P_ORGANIZATION_ID": self._organization_id}


def _frame(rows: list[dict[str, Any]], columns: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    for name, prop in columns.items():
        if prop is _INT:
            frame[name] = pd.to_numeric(frame[name].map(_plain, na_action="ignore"), errors="coerce").astype(
                "Int64"
            )
        elif prop is _TIMESTAMP:
            frame[name] = pd.to_datetime(frame[name], utc=True, errors="coerce")
        else:
            frame[name] = frame[name].map(_text, na_action="ignore").astype(object)
    return frame


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, Decimal) else value


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize() if value == value.to_integral_value() else value, "f")
    return value if isinstance(value, str) else str(value)
