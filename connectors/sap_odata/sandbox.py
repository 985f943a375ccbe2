"""A sandbox of S/4HANA's ``API_SALES_ORDER_SRV`` (OData V2): clearly a sandbox, never SAP.

:meth:`SalesOrderSandbox.handle` is an ``httpx.MockTransport`` handler (tests route a client
to it with ``httpx.MockTransport(sandbox.handle)`` or a respx side effect), and
:meth:`SalesOrderSandbox.asgi` serves the same on loopback for the demo. It checks basic
auth on every request, issues CSRF tokens bound to the session cookie it sets, answers
``403`` + ``x-csrf-token: Required`` to a POST with a missing or stale token, pages
``A_SalesOrder`` with ``$top``/``$skip`` (capping pages at ``max_page_size`` and then
adding ``__next``), filters and sorts, expands ``to_Item`` inline on request
(``$expand=to_Item``; with a ``$select``, only if it names ``to_Item`` too, as OData V2
wants), accepts deep inserts with ``to_Item``, and fails on demand (:meth:`fail_next`),
before or after doing the work.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import httpx

from connectors.sap_odata.sandbox_orders import InsertRejected, OrderBook, QueryError, render
from connectors.sap_odata.spec import SANDBOX_PASSWORD, SANDBOX_URL, SANDBOX_USER

__all__ = ["SERVICE_PATH", "SalesOrderSandbox"]

SERVICE_PATH = "/sap/opu/odata/sap/API_SALES_ORDER_SRV"
_SESSION_COOKIE = "SAP_SESSIONID_S4H_100"


@dataclass
class _Failure:
    method: str
    path_suffix: str
    status: int | None
    exception: Exception | None
    after: bool


class SalesOrderSandbox:
    """The service's state: users, sessions and CSRF tokens, orders, queued failures, requests."""

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        customers: Iterable[str] = (),
        materials: Iterable[str] = (),
        first_number: int = 5000000,
        max_page_size: int = 1000,
        clock: Callable[[], datetime] | None = None,
        base_url: str = SANDBOX_URL,
    ) -> None:
        self.users = dict(users if users is not None else {SANDBOX_USER: SANDBOX_PASSWORD})
        self.book = OrderBook(customers=customers, materials=materials, first_number=first_number)
        self.max_page_size = max_page_size
        self.root = base_url.rstrip("/") + SERVICE_PATH
        self.requests: list[httpx.Request] = []
        self._tokens: dict[str, str] = {}  # session id -> token
        self._failures: list[_Failure] = []
        self._clock = clock or (lambda: datetime.now(UTC))

    @classmethod
    def demo(cls, **options: Any) -> SalesOrderSandbox:
        """A sandbox with a few customers, materials and 12 orders (two pairs share a change time)."""
        customers = ["17100001", "17100002", "21", "ND-EAST", "T-0001"]
        materials = ["MZ-FG-R300", "SKU-10001", "SKU-10002", "100200"]
        sandbox = cls(customers=customers, materials=materials, **options)
        start = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
        for i in range(12):
            changed = start + timedelta(hours=i - (1 if i in (4, 9) else 0))  # 3&4, 8&9 share a timestamp
            sandbox.book.add(
                {
                    "SalesOrder": str(4000000 + i),
                    "SalesOrderType": "OR",
                    "SalesOrganization": "1710",
                    "DistributionChannel": "10",
                    "OrganizationDivision": "00",
                    "SoldToParty": customers[i % 5],
                    "PurchaseOrderByCustomer": f"PO-{i:04d}",
                    "CreationDate": changed - timedelta(days=1),
                    "SalesOrderDate": (changed - timedelta(days=1)).date(),
                    "LastChangeDateTime": changed,
                    "TotalNetAmount": Decimal(100 * (i + 1)) + Decimal("0.50"),
                    "TransactionCurrency": "CNY",
                    "OverallSDProcessStatus": "C" if i < 6 else "A",
                    "CreatedByUser": "CB9980000010",
                }
            )
        return sandbox

    # -- test controls -------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        exception: Exception | None = None,
        after: bool = False,
        path_suffix: str = "",
    ) -> None:
        """Fail the next ``method`` request (whose path ends with ``path_suffix``) with an HTTP
        ``status`` or by raising ``exception`` (e.g. ``httpx.ReadTimeout``); ``after=True`` does
        the work first (a POST then still creates the order)."""
        if (status is None) == (exception is None):
            raise ValueError("give exactly one of status and exception")
        self._failures.append(_Failure(method.upper(), path_suffix, status, exception, after))

    def expire_tokens(self) -> None:
        """Invalidate every CSRF token issued so far (as a server restart or timeout does)."""
        self._tokens.clear()

    def requests_to(self, method: str, path_suffix: str = "") -> list[httpx.Request]:
        """The requests received with this method (and path ending), in order."""
        return [r for r in self.requests if r.method == method.upper() and r.url.path.endswith(path_suffix)]

    # -- the service ---------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (the ``httpx.MockTransport`` handler)."""
        self.requests.append(request)
        failure = self._take_failure(request)
        if failure is not None and not failure.after:
            return self._fail(failure, request)
        response = self._route(request)
        if failure is not None:
            return self._fail(failure, request)
        return response

    async def asgi(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        """The same service as an ASGI app (``uvicorn`` on loopback for the demo)."""
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        url = f"http://{dict(scope['headers']).get(b'host', b'localhost').decode()}{scope['path']}"
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode()
        headers = [(k.decode(), v.decode()) for k, v in scope["headers"]]
        response = self.handle(httpx.Request(scope["method"], url, headers=headers, content=body))
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": response.headers.raw}
        )
        await send({"type": "http.response.body", "body": response.content})

    def _take_failure(self, request: httpx.Request) -> _Failure | None:
        for index, failure in enumerate(self._failures):
            if failure.method == request.method and request.url.path.endswith(failure.path_suffix):
                return self._failures.pop(index)
        return None

    @staticmethod
    def _fail(failure: _Failure, request: httpx.Request) -> httpx.Response:
        if failure.exception is not None:
            raise failure.exception
        return _error(failure.status or 500, "/IWFND/CM_BEC/026", "Service temporarily unavailable")

    def _route(self, request: httpx.Request) -> httpx.Response:
        user = self._user(request)
        if user is None:
            return httpx.Response(
                401,
                headers={"WWW-Authenticate": 'Basic realm="SAP NetWeaver Application Server"'},
                text="Logon failed",
            )
        path = request.url.path
        if not path.startswith(SERVICE_PATH):
            return _error(404, "/IWFND/MED/170", f"No service found for namespace, name, version {path}")
        resource = path[len(SERVICE_PATH) :].strip("/")
        params = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        if request.method == "GET" and request.headers.get("x-csrf-token", "").lower() == "fetch":
            return self._issue_token(request, resource)
        if request.method == "GET" and resource in ("", "$metadata"):
            return httpx.Response(200, json={"d": {"EntitySets": ["A_SalesOrder", "A_SalesOrderItem"]}})
        if resource == "A_SalesOrder" and request.method == "GET":
            return self._list(params)
        if resource == "A_SalesOrder" and request.method == "POST":
            return self._create(request, user)
        return _error(
            405 if resource == "A_SalesOrder" else 404,
            "/IWBEP/CM_MGW_RT/020",
            f"Resource not found for segment '{resource}'",
        )

    def _user(self, request: httpx.Request) -> str | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            name, _, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return None
        return name if self.users.get(name) == password else None

    def _issue_token(self, request: httpx.Request, resource: str) -> httpx.Response:
        session = _cookie(request, _SESSION_COOKIE) or secrets.token_hex(16)
        token = self._tokens.setdefault(session, base64.b64encode(secrets.token_bytes(18)).decode())
        headers = [
            ("x-csrf-token", token),
            ("set-cookie", f"{_SESSION_COOKIE}={session}; path=/; HttpOnly"),
            ("set-cookie", "sap-usercontext=sap-client=100; path=/"),
        ]
        return httpx.Response(200, headers=headers, json={"d": {"EntitySets": ["A_SalesOrder"]}})

    def _list(self, params: dict[str, str]) -> httpx.Response:
        expand = [name.strip() for name in params.get("$expand", "").split(",") if name.strip()]
        try:
            top = int(params.get("$top", self.max_page_size))
            skip = int(params.get("$skip", 0))
            rows, count = self.book.query(params)
            unknown = [name for name in expand if name != "to_Item"]
            if unknown:
                raise QueryError(f"Property '{unknown[0]}' is not a navigation property of A_SalesOrderType")
        except (QueryError, ValueError) as exc:
            return _error(400, "/IWBEP/CM_MGW_RT/022", str(exc))
        size = min(top, self.max_page_size)
        page = rows[skip : skip + size]
        select = params.get("$select", "")
        payload: dict[str, Any] = {
            "results": [render(o, self.root, select, expand_items=bool(expand)) for o in page]
        }
        if params.get("$inlinecount") == "allpages":
            payload["__count"] = str(count)
        if size < top and skip + size < min(count, skip + top):
            payload["__next"] = f"{self.root}/A_SalesOrder?$skip={skip + size}"
        return httpx.Response(200, json={"d": payload})

    def _create(self, request: httpx.Request, user: str) -> httpx.Response:
        session = _cookie(request, _SESSION_COOKIE)
        token = request.headers.get("x-csrf-token", "")
        if not token or not session or self._tokens.get(session) != token:
            return httpx.Response(
                403, headers={"x-csrf-token": "Required"}, text="CSRF token validation failed"
            )
        try:
            body = json.loads(request.content or b"null")
        except ValueError:
            return _error(400, "/IWBEP/CM_MGW_RT/021", "The request body is not valid JSON")
        try:
            order = self.book.insert(body, user=user, now=self._clock())
        except InsertRejected as exc:
            return _error(400, exc.details[0][0], exc.details[0][1], details=exc.details)
        location = f"{self.root}/A_SalesOrder('{order['SalesOrder']}')"
        return httpx.Response(
            201, headers={"location": location}, json={"d": render(order, self.root, expand_items=True)}
        )


def _cookie(request: httpx.Request, name: str) -> str:
    header: str = request.headers.get("cookie", "")
    for pair in header.split(";"):
        key, _, value = pair.strip().partition("=")
        if key == name:
            return value
    return ""


def _error(
    status: int, code: str, message: str, *, details: Iterable[tuple[str, str]] = ()
) -> httpx.Response:
    body = {
        "error": {
            "code": code,
            "message": {"lang": "en", "value": message},
            "innererror": {
                "transactionid": secrets.token_hex(16).upper(),
                "errordetails": [
                    {"code": c, "message": m, "propertyref": "", "severity": "error", "target": ""}
                    for c, m in details
                ],
            },
        }
    }
    return httpx.Response(status, json=body)
