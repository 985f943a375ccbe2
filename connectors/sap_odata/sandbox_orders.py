"""The order book behind the ``API_SALES_ORDER_SRV`` sandbox: query options, deep insert, rendering.

``$filter`` understands ``Field op literal`` clauses joined by ``and`` (``eq ne gt ge lt le``;
literals ``'text'``, ``datetimeoffset'...'``, ``datetime'...'`` and numbers), ``$orderby`` a
comma list with ``asc``/``desc``, ``$select`` a comma list. Deep inserts are checked against
the seeded customers and materials, with SAP-style error codes (the sandbox's own wording).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.sap_odata.odata import odata_datetime, to_odata_date

__all__ = ["ENTITY_TYPE", "InsertRejected", "OrderBook", "QueryError"]

ENTITY_TYPE = "API_SALES_ORDER_SRV.A_SalesOrderType"
_DATE_FIELDS = (
    "CreationDate",
    "LastChangeDate",
    "SalesOrderDate",
    "RequestedDeliveryDate",
    "CustomerPurchaseOrderDate",
)
_CLAUSE = re.compile(
    r"^\s*(\w+)\s+(eq|ne|gt|ge|lt|le)\s+(?:'((?:[^']|'')*)'|(datetimeoffset|datetime)'([^']+)'|(-?\d+(?:\.\d+)?))\s*$",
    re.IGNORECASE,
)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


class QueryError(ValueError):
    """A query option the service does not accept (HTTP 400)."""


@dataclass
class InsertRejected(Exception):
    """A deep insert the service refuses (HTTP 400 with these ``(code, message)`` details)."""

    details: list[tuple[str, str]] = field(default_factory=list)


class OrderBook:
    """Sales orders (header fields as Python values), numbered from ``first_number``."""

    def __init__(self, *, customers: Iterable[str], materials: Iterable[str], first_number: int) -> None:
        self.customers = set(customers)
        self.materials = set(materials)
        self.orders: dict[str, dict[str, Any]] = {}
        self._next = first_number

    def add(self, order: Mapping[str, Any]) -> dict[str, Any]:
        """Store an order as given (seeding); returns the stored copy."""
        stored = {"to_Item": [], **order}
        self.orders[str(stored["SalesOrder"])] = stored
        return stored

    def query(self, params: Mapping[str, str]) -> tuple[list[dict[str, Any]], int]:
        """The orders matching ``$filter`` in ``$orderby`` order, and how many match in all."""
        predicates = [_clause(part) for part in _split_and(params.get("$filter", ""))]
        rows = [o for o in self.orders.values() if all(p(o) for p in predicates)]
        for name, descending in reversed(_orderby(params.get("$orderby", "SalesOrder"))):
            rows.sort(key=_sort_key(name), reverse=descending)
        return rows, len(rows)

    def insert(self, body: Any, *, user: str, now: datetime) -> dict[str, Any]:
        """Validate and store a deep insert with ``to_Item``; ``InsertRejected`` lists why not."""
        if not isinstance(body, dict):
            raise InsertRejected([("/IWBEP/CM_MGW_RT/021", "The request body is not a JSON object")])
        problems: list[tuple[str, str]] = []
        sold_to = str(body.get("SoldToParty") or "")
        if not sold_to:
            problems.append(("V1/382", "Please enter sold-to party or ship-to party"))
        elif sold_to not in self.customers:
            problems.append(("VP/199", f"Customer {sold_to} has not been created for the sales area"))
        items = body.get("to_Item")
        items = items.get("results") if isinstance(items, dict) else items
        if not items:
            problems.append(("V1/761", "Sales document contains no items"))
        for item in items or []:
            material = str(item.get("Material") or "")
            if material not in self.materials:
                problems.append(
                    (
                        "V1/392",
                        f"Material {material} is not defined for sales org.{body.get('SalesOrganization')}",
                    )
                )
            try:
                quantity = Decimal(str(item.get("RequestedQuantity")))
            except InvalidOperation:
                quantity = Decimal(0)
            if quantity <= 0:
                problems.append(("V1/555", f"Item {item.get('SalesOrderItem')} has no order quantity"))
        if problems:
            raise InsertRejected(problems)
        number = str(self._next)
        self._next += 1
        header = {k: v for k, v in body.items() if k != "to_Item" and not k.startswith("__")}
        for name in _DATE_FIELDS:
            if header.get(name):
                header[name] = odata_datetime(header[name])
        order = {
            **header,
            "SalesOrder": number,
            "CreatedByUser": user,
            "CreationDate": now,
            "SalesOrderDate": header.get("SalesOrderDate") or now,
            "LastChangeDateTime": now,
            "OverallSDProcessStatus": "A",
            "TransactionCurrency": header.get("TransactionCurrency") or "CNY",
            "TotalNetAmount": Decimal(0),
            "to_Item": [
                {
                    **item,
                    "SalesOrder": number,
                    "SalesOrderItem": str(item.get("SalesOrderItem") or (i + 1) * 10),
                }
                for i, item in enumerate(items or [])
            ],
        }
        self.orders[number] = order
        return order


def render(
    order: Mapping[str, Any], root: str, select: str = "", *, expand_items: bool = False
) -> dict[str, Any]:
    """An order as OData V2 JSON (``/Date()/`` values, decimals as text, ``__metadata``)."""
    number = order["SalesOrder"]
    uri = f"{root}/A_SalesOrder('{number}')"
    changed = order.get("LastChangeDateTime")
    etag = (
        f"W/\"datetimeoffset'{changed.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')}Z'\"" if changed else ""
    )
    wanted = {name.strip() for name in select.split(",") if name.strip()}
    entity: dict[str, Any] = {"__metadata": {"id": uri, "uri": uri, "type": ENTITY_TYPE, "etag": etag}}
    for name, value in order.items():
        if name == "to_Item" or (wanted and name not in wanted):
            continue
        entity[name] = _json_value(name, value)
    if not wanted or "to_Item" in wanted:
        if expand_items:
            entity["to_Item"] = {
                "results": [{k: _json_value(k, v) for k, v in i.items()} for i in order["to_Item"]]
            }
        else:
            entity["to_Item"] = {"__deferred": {"uri": f"{uri}/to_Item"}}
    return entity


def _json_value(name: str, value: Any) -> Any:
    if isinstance(value, datetime):
        text = to_odata_date(value)
        return text.replace(")/", "+0000)/") if name.endswith("DateTime") else text
    if isinstance(value, date):
        return to_odata_date(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


def _split_and(text: str) -> list[str]:
    parts = (
        re.split(r"\s+and\s+(?=(?:[^']*'[^']*')*[^']*$)", text.strip(), flags=re.IGNORECASE)
        if text.strip()
        else []
    )
    return [p.strip().strip("()").strip() for p in parts]


def _clause(text: str) -> Callable[[Mapping[str, Any]], bool]:
    match = _CLAUSE.match(text)
    if match is None:
        raise QueryError(f"Invalid filter expression: '{text}'")
    name, op, string, kind, stamp, number = match.groups()
    literal: Any
    if string is not None:
        literal = string.replace("''", "'")
    elif stamp is not None:
        literal = odata_datetime(stamp if kind.lower() == "datetimeoffset" else stamp + "Z")
    else:
        literal = Decimal(number)
    compare = _OPS[op.lower()]

    def predicate(order: Mapping[str, Any]) -> bool:
        value = order.get(name)
        if value is None:
            return False
        if isinstance(literal, datetime) and isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day, tzinfo=UTC)
        if isinstance(literal, Decimal):
            value = Decimal(str(value))
        return bool(compare(value, literal))

    return predicate


def _orderby(text: str) -> list[tuple[str, bool]]:
    keys = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, direction = part.partition(" ")
        if direction.strip().lower() not in ("", "asc", "desc"):
            raise QueryError(f"Invalid $orderby: '{part}'")
        keys.append((name, direction.strip().lower() == "desc"))
    return keys


def _sort_key(name: str) -> Callable[[Mapping[str, Any]], tuple[int, Any]]:
    return lambda order: _sortable(order.get(name))


def _sortable(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, datetime):
        return (1, value.timestamp())
    return (1, value)
