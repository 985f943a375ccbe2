"""Streams of the ``sap-odata`` source."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import pandas as pd

from connectors.contract import HubStream, Page
from connectors.errors import FatalConnectorError
from connectors.sap_odata.client import SYSTEM, SapODataClient
from connectors.sap_odata.odata import datetimeoffset_literal, odata_date, odata_datetime, string_literal
from connectors.state import Lookback

__all__ = ["ITEMS", "SalesOrdersStream"]

_STRING = {"type": ["null", "string"]}
_DATE = {"type": ["null", "string"], "format": "date"}
_COLUMNS: dict[str, dict[str, Any]] = {
    "SalesOrder": {"type": "string"},
    "SalesOrderType": _STRING,
    "SalesOrganization": _STRING,
    "DistributionChannel": _STRING,
    "OrganizationDivision": _STRING,
    "SoldToParty": _STRING,
    "PurchaseOrderByCustomer": _STRING,
    "SalesOrderDate": _DATE,
    "CreationDate": _DATE,
    "RequestedDeliveryDate": _DATE,
    "LastChangeDateTime": {
        "type": "string",
        "format": "date-time",
        "airbyte_type": "timestamp_with_timezone",
    },
    "TotalNetAmount": {"type": ["null", "string"], "description": "decimal number as text"},
    "TransactionCurrency": _STRING,
    "OverallSDProcessStatus": _STRING,
    "CreatedByUser": _STRING,
}
_DATES = ("SalesOrderDate", "CreationDate", "RequestedDeliveryDate")
ITEMS = "to_Item"
"""The navigation property to ``A_SalesOrderItem``: the column holding the items when expanded."""


class SalesOrdersStream(HubStream):
    """``sales_orders``: ``A_SalesOrder`` headers, incremental on ``LastChangeDateTime``.

    Pages with ``$top``/``$skip`` in ``LastChangeDateTime, SalesOrder`` order (also following
    a server that cuts pages short and sends ``__next``); the lower bound is inclusive
    (``ge``), the hub's boundary keys drop the rows already read at it.

    ``with_items=True`` reads whole documents, as S/4 integrations do: ``$expand=to_Item``
    on the same header query, so the items come in the same page as their header and
    under its cursor (``A_SalesOrderItem`` carries no change timestamp of its own; changing
    an item changes the header's ``LastChangeDateTime``). The ``to_Item`` column then holds
    each order's items as the service sends them (OData JSON values, ``__metadata`` dropped).
    The ``sales_orders`` stream of a sync reads headers only.
    """

    name = "sales_orders"
    primary_key: ClassVar[str | list[str]] = "SalesOrder"
    cursor_field: ClassVar[str | list[str]] = "LastChangeDateTime"
    cursor_type = "datetime"
    json_schema: ClassVar[Mapping[str, Any]] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": _COLUMNS,
    }

    def __init__(
        self,
        open_client: Callable[[], SapODataClient],
        *,
        lookback: Lookback = None,
        with_items: bool = False,
    ) -> None:
        super().__init__(lookback=lookback)
        self._open_client = open_client
        self.with_items = with_items

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """Pages of orders changed at or after ``since`` (or ``start_datetime``)."""
        with self._open_client() as client:
            yield from self._pages(client, since)

    def _pages(self, client: SapODataClient, since: datetime | None) -> Iterator[Page]:
        config = client.config
        lower: datetime | None = since or config.start_datetime
        filters = []
        if lower is not None:
            filters.append(f"LastChangeDateTime ge {datetimeoffset_literal(lower)}")
        if config.sales_organization:
            filters.append(f"SalesOrganization eq {string_literal(config.sales_organization)}")
        columns = [*_COLUMNS, ITEMS] if self.with_items else list(_COLUMNS)
        params: dict[str, Any] = {
            "$select": ",".join(columns),
            "$orderby": "LastChangeDateTime asc,SalesOrder asc",
            "$top": config.page_size,
        }
        if self.with_items:
            params["$expand"] = ITEMS
        if filters:
            params["$filter"] = " and ".join(filters)
        skip = 0
        while True:
            results, next_link = client.entities("A_SalesOrder", {**params, "$skip": skip})
            if results:
                rows = [{**_row(r), **({ITEMS: _items(r)} if self.with_items else {})} for r in results]
                frame = pd.DataFrame.from_records(rows, columns=columns)
                frame["LastChangeDateTime"] = pd.to_datetime(frame["LastChangeDateTime"], utc=True)
                yield Page(frame, f"$skip={skip}")
            skip += len(results)
            if not results or (len(results) < config.page_size and next_link is None):
                return


def _items(entity: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The expanded ``to_Item`` of an order (V2 wraps it in ``results``; a deferred link is an error)."""
    items = entity.get(ITEMS)
    if isinstance(items, Mapping):
        items = items.get("results")
    if not isinstance(items, list):
        raise FatalConnectorError(
            f"{SYSTEM}: A_SalesOrder {entity.get('SalesOrder')}: to_Item was not expanded", system=SYSTEM
        )
    rows = (item for item in items if isinstance(item, Mapping))
    return [{k: v for k, v in item.items() if k != "__metadata"} for item in rows]


def _row(entity: Mapping[str, Any]) -> dict[str, Any]:
    row = {name: entity.get(name) for name in _COLUMNS}
    try:
        for name in _DATES:
            row[name] = odata_date(row[name])
        row["LastChangeDateTime"] = odata_datetime(row["LastChangeDateTime"])
        amount = row["TotalNetAmount"]
        row["TotalNetAmount"] = None if amount in (None, "") else Decimal(str(amount))
    except (ValueError, InvalidOperation) as exc:
        raise FatalConnectorError(
            f"{SYSTEM}: A_SalesOrder {entity.get('SalesOrder')}: unreadable value: {exc}", system=SYSTEM
        ) from exc
    return row
