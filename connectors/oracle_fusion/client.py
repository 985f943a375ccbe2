"""HTTP access to Fusion's ``salesOrdersForOrderHub`` REST resource.

Reads page with ``limit``/``offset`` until ``hasMore`` is false, ``onlyData=true``, ordered by
``LastUpdateDate:asc,HeaderId:asc`` and filtered with ``q``. Offsets over a live collection
shift when rows change while paging, so after each page the filter restarts at the last
``LastUpdateDate`` read and the offset counts only the rows already read at exactly that
instant: a row updated mid-read moves to the end and is still read, none is skipped.

Reads map HTTP 503 to "throttled" so its ``Retry-After`` is honoured (idempotent, safe to
retry); the create keeps the default mapping, so a 5xx or a timeout after sending is an
:class:`~connectors.errors.AmbiguousOutcome` and the sink looks the order up first.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from connectors.error_mapping import DEFAULT_ERROR_MAPPING, ResponseAction, merge_error_mapping
from connectors.errors import FatalConnectorError
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client
from connectors.oracle_fusion.spec import BasicAuth, OracleFusionConfig

__all__ = [
    "CURSOR_FIELD",
    "ITEM_MEDIA_TYPE",
    "RESOURCE",
    "SYSTEM",
    "FusionClient",
    "OrderPage",
    "order_key",
    "parse_fusion_datetime",
    "q_text",
    "split_order_key",
]

SYSTEM = "oracle-fusion"
RESOURCE = "salesOrdersForOrderHub"
ITEM_MEDIA_TYPE = "application/vnd.oracle.adf.resourceitem+json"
CURSOR_FIELD = "LastUpdateDate"
ORDER_BY = f"{CURSOR_FIELD}:asc,HeaderId:asc"
# q values are quoted with '...'; keys of this shape need no escaping in Fusion's q syntax.
_SAFE_Q_VALUE = re.compile(r"^[A-Za-z0-9_.:/@#+-]{1,80}$")
_READ_MAPPING = merge_error_mapping(DEFAULT_ERROR_MAPPING, {503: ResponseAction.RATE_LIMITED})


def order_key(system: str, source_id: str) -> str:
    """Fusion's ``OrderKey``: ``SourceTransactionSystem:SourceTransactionId`` (``LEG:R13_Sample_Order``)."""
    return f"{system}:{source_id}"


def split_order_key(key: str) -> tuple[str, str]:
    """``(system, source id)`` of an ``OrderKey``; ``ValueError`` if it has no colon."""
    system, colon, source_id = key.partition(":")
    if not colon or not system or not source_id:
        raise ValueError(f"not an OrderKey (SYSTEM:ID): {key!r}")
    return system, source_id


def q_text(value: str) -> str:
    """``value`` quoted for a ``q`` condition; refuses characters that would change the query."""
    if not _SAFE_Q_VALUE.match(value):
        raise ValueError(f"{value!r} cannot be used in a Fusion q filter (letters, digits and ._:/@#+- only)")
    return f"'{value}'"


def q_datetime(value: datetime) -> str:
    """An aware instant as Fusion writes it: ``'2024-05-01T08:00:00.000+00:00'``."""
    return "'" + value.astimezone(UTC).isoformat(timespec="milliseconds") + "'"


def parse_fusion_datetime(value: Any) -> datetime | None:
    """A Fusion timestamp (ISO 8601 with offset) as an aware UTC datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@dataclass(frozen=True)
class OrderPage:
    """One page of the collection: its items and where it came from."""

    items: list[dict[str, Any]]
    offset: str


class FusionClient:
    """The REST calls the connector makes; every error is a hub error."""

    def __init__(
        self,
        config: OracleFusionConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        headers, secrets = _credentials(config)
        base = HttpClientConfig(
            system=SYSTEM,
            base_url=config.resource_root,
            read_timeout=config.timeout_seconds,
            max_retries=config.max_retries,
            rate_limit_per_second=config.requests_per_second,
            secrets=secrets,
            headers={"Accept": "application/json", **headers},
            sleep=sleep,
        )
        self.reads: HubHttpClient = build_http_client(
            dataclasses.replace(base, error_mapping=_READ_MAPPING), transport=transport
        )
        self.writes: HubHttpClient = build_http_client(base, transport=transport)

    def pages(self, *, since: datetime | None, expand_lines: bool = False) -> Iterator[OrderPage]:
        """Pages of orders with ``LastUpdateDate >= since`` (all when None), in cursor order."""
        lower, offset = since, 0
        while True:
            params: dict[str, Any] = {
                "onlyData": "true",
                "limit": self.config.page_size,
                "offset": offset,
                "orderBy": ORDER_BY,
            }
            if lower is not None:
                params["q"] = f"{CURSOR_FIELD}>={q_datetime(lower)}"
            if expand_lines:
                params["expand"] = "lines"
            body = self._get_json(RESOURCE, params)
            items = _items(body, RESOURCE)
            where = f"offset={offset}" + (f"&since={lower.isoformat()}" if lower is not None else "")
            yield OrderPage(items, where)
            if not items or body.get("hasMore") is not True:
                return
            last = parse_fusion_datetime(items[-1].get(CURSOR_FIELD))
            if last is None or last == lower:  # no cursor to restart from, or still at the same instant
                offset += len(items)
            else:
                lower = last
                offset = sum(1 for item in items if parse_fusion_datetime(item.get(CURSOR_FIELD)) == last)

    def find_order(self, source_number: str) -> dict[str, Any] | None:
        """The order this hub created as ``source_number``, or None."""
        system = self.config.source_transaction_system
        params = {
            "q": f"SourceTransactionNumber={q_text(source_number)};SourceTransactionSystem={q_text(system)}",
            "onlyData": "true",
            "limit": 1,
        }
        items = _items(self._get_json(RESOURCE, params), RESOURCE)
        return items[0] if items else None

    def get_order(self, key: str) -> dict[str, Any]:
        """One order by ``OrderKey`` (``SYSTEM:ID``) or ``HeaderId``."""
        body = self._get_json(f"{RESOURCE}/{quote(key, safe=':')}", {"onlyData": "true", "expand": "lines"})
        if not isinstance(body, dict):
            raise FatalConnectorError(f"{SYSTEM}: order {key} is not a JSON object", system=SYSTEM)
        return body

    def create_order(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST one sales order (not idempotent: see the module docstring)."""
        response = self.writes.request(
            "POST",
            RESOURCE,
            content=json.dumps(payload, default=_json_default).encode("utf-8"),
            headers={"Content-Type": ITEM_MEDIA_TYPE},
            idempotent=False,
        )
        body = _decode(response, RESOURCE)
        if not isinstance(body, dict):
            raise FatalConnectorError(f"{SYSTEM}: the created order is not a JSON object", system=SYSTEM)
        return body

    def ping(self) -> None:
        """One tiny read: proves the URL and the credentials."""
        self._get_json(RESOURCE, {"onlyData": "true", "limit": 1, "fields": "HeaderId"})

    def close(self) -> None:
        """Close both connection pools."""
        self.reads.close()
        self.writes.close()

    def _get_json(self, path: str, params: Mapping[str, Any]) -> Any:
        return _decode(self.reads.get(path, params=params), path)


def _credentials(config: OracleFusionConfig) -> tuple[dict[str, str], tuple[str, ...]]:
    auth = config.auth
    if isinstance(auth, BasicAuth):
        password = auth.password.get_secret_value()
        pair = base64.b64encode(f"{auth.username}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}, (password, pair)
    token = auth.access_token.get_secret_value()
    return {"Authorization": f"Bearer {token}"}, (token,)


def _decode(response: httpx.Response, where: str) -> Any:
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise FatalConnectorError(
            f"{SYSTEM}: {where} answered HTTP {response.status_code} with a body that is not JSON",
            system=SYSTEM,
            status_code=response.status_code,
        ) from exc


def _items(body: Any, where: str) -> list[dict[str, Any]]:
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise FatalConnectorError(f"{SYSTEM}: {where} answered without an `items` list", system=SYSTEM)
    return items


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Shortest round-trip float repr keeps every digit of the quantities and prices we send.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
