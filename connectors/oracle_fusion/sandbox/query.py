"""The sandbox's query language and JSON rendering: ``q``, ``orderBy``, paging, envelopes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from connectors.oracle_fusion.client import RESOURCE, order_key
from connectors.oracle_fusion.sandbox.data import BASE_PATH, SANDBOX_URL

__all__ = [
    "BadRequest",
    "envelope",
    "int_param",
    "json_response",
    "matches",
    "order_by",
    "render",
    "sort_key",
]

_DATES = ("LastUpdateDate", "CreationDate", "TransactionOn")
_NUMBERS = ("HeaderId", "BuyingPartyId", "BusinessUnitId")
_CONDITION = re.compile(r"^\s*([A-Za-z]\w*)\s*(>=|<=|!=|=|>|<)\s*(.*?)\s*$")
_OPS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


class BadRequest(Exception):
    """A request the resource refuses with HTTP 400 (the message is the body)."""


def matches(order: Mapping[str, Any], q: str) -> bool:
    for condition in (c for c in q.split(";") if c.strip()):
        match = _CONDITION.match(condition)
        if match is None:
            raise BadRequest(f"The query parameter q has an invalid condition: {condition}")
        attribute, op, raw = match.groups()
        if attribute not in order or attribute == "lines":
            raise BadRequest(f"The attribute {attribute} in the query parameter q isn't valid.")
        value: Any = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" else raw
        actual = order[attribute]
        try:
            if attribute in _DATES:
                value = datetime.fromisoformat(value)
                actual = actual if isinstance(actual, datetime) else datetime.fromisoformat(actual)
            elif attribute in _NUMBERS:
                value = int(value)
        except ValueError as exc:
            raise BadRequest(f"The value {raw} isn't valid for the attribute {attribute}.") from exc
        if actual is None or not _OPS[op](actual, value):
            return False
    return True


def sort_key(attribute: str) -> Callable[[Mapping[str, Any]], tuple[bool, Any]]:
    def key(order: Mapping[str, Any]) -> tuple[bool, Any]:
        return (order.get(attribute) is None, order.get(attribute))

    return key


def order_by(text: str) -> list[tuple[str, str]]:
    keys = []
    for part in (p for p in text.split(",") if p):
        attribute, _, direction = part.partition(":")
        if direction not in ("", "asc", "desc"):
            raise BadRequest(f"The orderBy direction {direction} isn't valid.")
        keys.append((attribute, direction or "asc"))
    return keys


def int_param(params: httpx.QueryParams, name: str, default: int, low: int, high: int | None) -> int:
    try:
        value = int(params.get(name, default))
    except ValueError as exc:
        raise BadRequest(f"The query parameter {name} must be a number.") from exc
    return max(low, min(value, high)) if high is not None else max(low, value)


def render(
    order: Mapping[str, Any], params: httpx.QueryParams, request: httpx.Request | None
) -> dict[str, Any]:
    item = {k: (stamp(v) if isinstance(v, datetime) else v) for k, v in order.items() if k != "lines"}
    if params.get("fields"):
        wanted = set(params["fields"].split(","))
        item = {k: v for k, v in item.items() if k in wanted}
    expand = params.get("expand", "")
    if "lines" in expand.split(",") or expand == "all":
        item["lines"] = envelope(list(order["lines"]), 0, len(order["lines"]) or 25, False, None)
    if params.get("onlyData") != "true":
        key = order_key(order["SourceTransactionSystem"], order["SourceTransactionId"])
        href = f"{SANDBOX_URL}{BASE_PATH}/{key}"
        item["links"] = [{"rel": "self", "href": href, "name": RESOURCE, "kind": "item"}]
    return item


def envelope(
    items: list[Any], offset: int, limit: int, has_more: bool, request: httpx.Request | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "items": items,
        "count": len(items),
        "hasMore": has_more,
        "limit": limit,
        "offset": offset,
    }
    if request is not None:
        body["links"] = [{"rel": "self", "href": str(request.url), "name": RESOURCE, "kind": "collection"}]
    return body


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def json_response(status: int, body: Any, *, media_type: str = "application/json") -> httpx.Response:
    content = json.dumps(body, default=json_number)
    return httpx.Response(status, content=content.encode("utf-8"), headers={"Content-Type": media_type})


def json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)
