"""The sandbox's state and HTTP dispatch (see the package docstring)."""

from __future__ import annotations

import base64
import json
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from connectors.oracle_fusion.client import ITEM_MEDIA_TYPE, split_order_key
from connectors.oracle_fusion.sandbox.data import (
    BASE_PATH,
    BASE_TIME,
    SANDBOX_PASSWORD,
    SANDBOX_USER,
    SEED_ITEMS,
    SEED_PARTIES,
)
from connectors.oracle_fusion.sandbox.query import (
    BadRequest,
    envelope,
    int_param,
    json_response,
    matches,
    order_by,
    render,
    sort_key,
)

__all__ = ["FusionSandbox"]

_ONE_ORDER = httpx.QueryParams({"expand": "lines", "onlyData": "true"})  # how one order is rendered


@dataclass
class _Failure:
    status: int
    retry_after: str | None
    method: str | None
    times: int


class FusionSandbox:
    """In-memory ``salesOrdersForOrderHub``; ``orders`` and ``requests`` are open for asserts."""

    def __init__(
        self,
        *,
        users: Mapping[str, str] | None = None,
        tokens: Iterable[str] = (),
        parties: Iterable[str] = SEED_PARTIES,
        products: Iterable[str] = SEED_ITEMS,
    ) -> None:
        self.users = dict(users if users is not None else {SANDBOX_USER: SANDBOX_PASSWORD})
        self.tokens = set(tokens)
        self.parties = set(parties)
        self.products = set(products)
        self.orders: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []
        self.now = BASE_TIME
        self._failures: deque[_Failure] = deque()
        self._timeouts_after_commit = 0
        self._ids = {"header": 300000100000000, "line": 300000200000000, "number": 100000}

    @classmethod
    def seeded(cls, *, orders: int = 24, **kwargs: Any) -> FusionSandbox:
        """A sandbox holding ``orders`` legacy orders (system ``LEG``), two per ``LastUpdateDate``."""
        sandbox = cls(**kwargs)
        for i in range(1, orders + 1):
            lines = [
                {
                    "ProductNumber": SEED_ITEMS[(i + n) % len(SEED_ITEMS)],
                    "OrderedQuantity": Decimal(6 * (n + 1)),
                    "OrderedUOMCode": "CS" if n == 2 else "Ea",
                    "UnitSellingPrice": Decimal("35.50") + n,
                }
                for n in range(1 + i % 3)
            ]
            sandbox.add_order(
                system="LEG",
                source_id=f"R13_Sample_Order_{i:03d}",
                party=SEED_PARTIES[i % len(SEED_PARTIES)],
                lines=lines,
                status=("OPEN", "CLOSED", "DOO_DRAFT")[i % 3],
                tick=i % 2 == 1,
            )
        return sandbox

    def transport(self) -> httpx.MockTransport:
        """An httpx transport serving this sandbox (mount it on :data:`SANDBOX_URL`)."""
        return httpx.MockTransport(self.handle)

    # -- failures on demand -------------------------------------------------------------------

    def fail_next(
        self, status: int, *, times: int = 1, retry_after: str | None = None, method: str | None = None
    ) -> None:
        """Answer the next ``times`` requests (of ``method``, if given) with ``status``."""
        self._failures.append(_Failure(status, retry_after, method.upper() if method else None, times))

    def time_out_after_commit(self, times: int = 1) -> None:
        """The next ``times`` creates are committed, then the response is lost (a read timeout)."""
        self._timeouts_after_commit += times

    # -- state ----------------------------------------------------------------------------------

    def add_order(
        self,
        *,
        system: str,
        source_id: str,
        party: str,
        lines: Iterable[Mapping[str, Any]],
        number: str | None = None,
        status: str = "OPEN",
        currency: str = "CNY",
        business_unit: str = "Vision Operations",
        tick: bool = True,
    ) -> dict[str, Any]:
        """Store an order as Fusion would after a create; returns it."""
        if tick:
            self.now += timedelta(seconds=1)
        self._ids["header"] += 1
        self._ids["number"] += 1
        header_id = self._ids["header"]
        order: dict[str, Any] = {
            "HeaderId": header_id,
            "OrderNumber": str(self._ids["number"]),
            "SourceTransactionSystem": system,
            "SourceTransactionId": source_id,
            "SourceTransactionNumber": number or source_id,
            "SourceTransactionRevisionNumber": 1,
            "BusinessUnitId": 300000046987012,
            "BusinessUnitName": business_unit,
            "BuyingPartyId": 300000047414500 + sum(map(ord, party)),
            "BuyingPartyNumber": party,
            "BuyingPartyName": f"Dealer {party}",
            "TransactionalCurrencyCode": currency,
            "TransactionOn": (self.now - timedelta(hours=8)).replace(minute=0, second=0).isoformat(),
            "StatusCode": status,
            "CreationDate": self.now,
            "LastUpdateDate": self.now,
            "lines": [],
        }
        for n, line in enumerate(lines, start=1):
            self._ids["line"] += 1
            order["lines"].append(
                {
                    "LineId": self._ids["line"],
                    "FulfillLineId": self._ids["line"] + 1000,
                    "SourceTransactionLineId": str(line.get("SourceTransactionLineId", n)),
                    "SourceTransactionLineNumber": str(line.get("SourceTransactionLineNumber", n)),
                    **{k: v for k, v in line.items() if not k.startswith("SourceTransactionLine")},
                }
            )
        self.orders.append(order)
        return order

    def touch(self, key: str, **fields: Any) -> dict[str, Any]:
        """Update one order (by ``OrderKey`` or ``HeaderId``): new fields, new ``LastUpdateDate``."""
        order = self._find(key)
        if order is None:
            raise KeyError(key)
        self.now += timedelta(seconds=1)
        order.update(fields, LastUpdateDate=self.now)
        return order

    def by_source_number(self, number: str, system: str = "DMSHUB") -> list[dict[str, Any]]:
        """Every order stored under ``system`` + ``number`` (a duplicate shows as two)."""
        return [
            o
            for o in self.orders
            if (o["SourceTransactionSystem"], o["SourceTransactionNumber"]) == (system, number)
        ]

    # -- HTTP -----------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Serve one request."""
        self.requests.append(request)
        path = request.url.path
        if not (path == BASE_PATH or path.startswith(BASE_PATH + "/")):
            return httpx.Response(404, text=f"Resource {path} not found.")
        if not self._authorized(request.headers.get("Authorization", "")):
            return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="fusion-sandbox"'})
        failure = self._take_failure(request.method)
        if failure is not None:
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            return httpx.Response(failure.status, headers=headers, text="Service temporarily unavailable.")
        parts = [p for p in path[len(BASE_PATH) :].split("/") if p]
        try:
            if not parts and request.method == "GET":
                return self._list(request)
            if not parts and request.method == "POST":
                return self._create(request)
            if len(parts) == 1 and request.method == "GET":
                return self._one(parts[0])
            if len(parts) == 3 and parts[1:] == ["child", "lines"] and request.method == "GET":
                order = self._find(parts[0])
                if order is None:
                    return httpx.Response(404, text=f"The order {parts[0]} does not exist.")
                return json_response(200, envelope(order["lines"], 0, len(order["lines"]), False, request))
        except BadRequest as exc:
            return httpx.Response(400, text=str(exc))
        return httpx.Response(405, text=f"Method {request.method} is not allowed on {path}.")

    def _authorized(self, header: str) -> bool:
        scheme, _, credential = header.partition(" ")
        if scheme == "Bearer":
            return credential in self.tokens
        if scheme != "Basic":
            return False
        try:
            user, _, password = base64.b64decode(credential).decode("utf-8").partition(":")
        except ValueError:
            return False
        return user in self.users and self.users[user] == password

    def _take_failure(self, method: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method in (None, method):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _list(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        rows = [o for o in self.orders if matches(o, params.get("q", ""))]
        for attribute, direction in reversed(order_by(params.get("orderBy", "HeaderId:asc"))):
            rows.sort(key=sort_key(attribute), reverse=direction == "desc")
        limit, offset = int_param(params, "limit", 25, 1, 500), int_param(params, "offset", 0, 0, None)
        page = rows[offset : offset + limit]
        items = [render(o, params, request) for o in page]
        body = envelope(items, offset, limit, offset + len(page) < len(rows), request)
        if params.get("totalResults") == "true":
            body["totalResults"] = len(rows)
        return json_response(200, body)

    def _one(self, key: str) -> httpx.Response:
        order = self._find(key)
        if order is None:
            return httpx.Response(404, text=f"The order {key} does not exist.")
        return json_response(200, render(order, _ONE_ORDER, None))

    def _create(self, request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content, parse_float=Decimal)
        except ValueError as exc:
            raise BadRequest("The request payload is not valid JSON.") from exc
        for field in (
            "SourceTransactionSystem",
            "SourceTransactionId",
            "SourceTransactionNumber",
            "BuyingPartyNumber",
            "TransactionalCurrencyCode",
            "BusinessUnitName",
        ):
            if not body.get(field):
                raise BadRequest(f"The attribute {field} is required.")
        if body["BuyingPartyNumber"] not in self.parties:
            raise BadRequest(f"The buying party with party number {body['BuyingPartyNumber']} isn't valid.")
        lines = body.get("lines") or []
        if not lines:
            raise BadRequest("The sales order must have at least one order line.")
        for line in lines:
            if line.get("ProductNumber") not in self.products:
                raise BadRequest(f"The item {line.get('ProductNumber')} isn't valid for the business unit.")
            if Decimal(str(line.get("OrderedQuantity") or 0)) <= 0:
                raise BadRequest("The ordered quantity must be greater than zero.")
        order = self.add_order(
            system=body["SourceTransactionSystem"],
            source_id=body["SourceTransactionId"],
            number=body["SourceTransactionNumber"],
            party=body["BuyingPartyNumber"],
            currency=body["TransactionalCurrencyCode"],
            business_unit=body["BusinessUnitName"],
            lines=lines,
        )
        if self._timeouts_after_commit > 0:
            self._timeouts_after_commit -= 1
            raise httpx.ReadTimeout("timed out waiting for the create response", request=request)
        rendered = render(order, _ONE_ORDER, None)
        return json_response(201, rendered, media_type=ITEM_MEDIA_TYPE)

    def _find(self, key: str) -> dict[str, Any] | None:
        if key.isdigit():
            return next((o for o in self.orders if o["HeaderId"] == int(key)), None)
        try:
            system, source_id = split_order_key(key)
        except ValueError:
            return None
        found = [
            o
            for o in self.orders
            if (o["SourceTransactionSystem"], o["SourceTransactionId"]) == (system, source_id)
        ]
        return found[-1] if found else None
