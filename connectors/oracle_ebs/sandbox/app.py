"""The sandbox's state and SOAP dispatch (see the package docstring)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from connectors.oracle_ebs.client import ORDER_PACKAGE, QUERY_PACKAGE, wsdl_path
from connectors.oracle_ebs.sandbox.data import BASE_TIME, SANDBOX_PASSWORD, SANDBOX_USER, seed_rows
from connectors.oracle_ebs.sandbox.envelopes import (
    SOAP_ENV,
    WSSE,
    fault,
    parse_envelope,
    record,
    reply,
    status_fields,
)

__all__ = ["EbsSandbox"]

_PLSQL = "http://xmlns.oracle.com/apps/{app}/soaprovider/plsql/{package}/{operation}/"
_OPERATIONS = {
    _PLSQL.format(app="ont", package="oe_order_pub", operation="process_order"): "PROCESS_ORDER",
    **{
        _PLSQL.format(app="xx", package="xx_dmshub_query_pub", operation=op.lower()): op
        for op in ("GET_CUSTOMERS", "GET_ITEMS", "FIND_ORDER")
    },
}
_PATHS = {f"/webservices/SOAProvider/plsql/{p.lower()}/": p for p in (ORDER_PACKAGE, QUERY_PACKAGE)}


@dataclass
class _Injected:
    kind: str  # "http" | "fault" | "raw" | "status"
    times: int
    status: int = 500
    retry_after: str | None = None
    text: str = ""
    code: str = "soapenv:Server"
    body: bytes = b""
    content_type: str = "text/xml; charset=utf-8"
    messages: tuple[str, ...] = ()


class EbsSandbox:
    """In-memory EBS: ``customers``, ``items`` and ``orders`` are open for asserts."""

    def __init__(
        self,
        *,
        users: Mapping[str, str] | None = None,
        customers: Iterable[Mapping[str, Any]] = (),
        items: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        self.users = dict(users if users is not None else {SANDBOX_USER: SANDBOX_PASSWORD})
        self.customers = [dict(row) for row in customers]
        self.items = [dict(row) for row in items]
        self.orders: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []
        self.now = BASE_TIME + timedelta(hours=1)
        self._injected: deque[_Injected] = deque()
        self._timeouts_after_commit = 0
        self._ids = {"header": 219000, "number": 69000, "line": 412000}

    @classmethod
    def seeded(cls, **kwargs: Any) -> EbsSandbox:
        """The seed data of :func:`~connectors.oracle_ebs.sandbox.data.seed_rows`."""
        customers, items = seed_rows()
        return cls(customers=customers, items=items, **kwargs)

    def transport(self) -> httpx.MockTransport:
        """An httpx transport serving this sandbox (endpoints under :data:`SANDBOX_URL`)."""
        return httpx.MockTransport(self.handle)

    # -- failures on demand -------------------------------------------------------------------

    def fail_next(self, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next ``times`` calls with an HTTP ``status`` and a plain-text body."""
        self._injected.append(_Injected("http", times, status=status, retry_after=retry_after))

    def fault_next(self, message: str, *, code: str = "soapenv:Server", times: int = 1) -> None:
        """Answer the next ``times`` calls with a SOAP fault (HTTP 500)."""
        self._injected.append(_Injected("fault", times, text=message, code=code))

    def reply_next(
        self, body: bytes, *, status: int = 200, content_type: str = "text/xml; charset=utf-8"
    ) -> None:
        """Answer the next call with ``body`` as it is."""
        self._injected.append(_Injected("raw", 1, status=status, body=body, content_type=content_type))

    def return_status_next(self, status: str, messages: Iterable[str]) -> None:
        """The next ``PROCESS_ORDER`` returns ``x_return_status = status`` with ``messages`` (no order)."""
        self._injected.append(_Injected("status", 1, text=status, messages=tuple(messages)))

    def time_out_after_commit(self, times: int = 1) -> None:
        """The next ``times`` ``PROCESS_ORDER`` calls commit, then the response is lost."""
        self._timeouts_after_commit += times

    # -- state ----------------------------------------------------------------------------------

    def orders_by_reference(self, reference: str) -> list[dict[str, Any]]:
        """Every order stored with this ``ORIG_SYS_DOCUMENT_REF`` (a duplicate shows as two)."""
        return [o for o in self.orders if o["ORIG_SYS_DOCUMENT_REF"] == reference]

    def touch_customer(self, account_number: str, **fields: Any) -> dict[str, Any]:
        """Update one account: new fields, new ``LAST_UPDATE_DATE``."""
        row = next(r for r in self.customers if r["ACCOUNT_NUMBER"] == account_number)
        self.now += timedelta(seconds=1)
        row.update(fields, LAST_UPDATE_DATE=self.now)
        return row

    # -- HTTP -----------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Serve one request."""
        self.requests.append(request)
        package = _PATHS.get(request.url.path)
        if package is None:
            return httpx.Response(404, text="Not Found")
        if request.method == "GET" and "wsdl" in {k.lower() for k in request.url.params}:
            return httpx.Response(
                200, content=wsdl_path(package).read_bytes(), headers={"Content-Type": "text/xml"}
            )
        if request.method != "POST":
            return httpx.Response(405, text="Method Not Allowed")
        injected = self._take(("http", "fault", "raw"))
        if injected is not None:
            return _injected_response(injected)
        try:
            envelope = parse_envelope(request.content)
        except ValueError as exc:
            return fault("soapenv:Client", str(exc))
        if not self._authenticated(envelope):
            return fault(
                "wsse:FailedAuthentication",
                "FailedAuthentication : The security token cannot be authenticated.",
            )
        body = envelope.find(f"{{{SOAP_ENV}}}Body")
        call = body[0] if body is not None and len(body) else None
        operation = _OPERATIONS.get(etree.QName(call).namespace) if call is not None else None
        if call is None or operation is None or etree.QName(call).localname != "InputParameters":
            return fault("soapenv:Client", "Service operation not found in the request body.")
        ns = etree.QName(call).namespace
        handler = {
            "PROCESS_ORDER": self._process_order,
            "GET_CUSTOMERS": self._get_customers,
            "GET_ITEMS": self._get_items,
            "FIND_ORDER": self._find_order,
        }[operation]
        output = handler(record(call), request)
        return reply(ns, output)

    def _take(self, kinds: tuple[str, ...]) -> _Injected | None:
        for injected in self._injected:
            if injected.kind in kinds:
                injected.times -= 1
                if injected.times <= 0:
                    self._injected.remove(injected)
                return injected
        return None

    def _authenticated(self, envelope: Any) -> bool:
        token = envelope.find(f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
        if token is None:
            return False
        user = token.findtext(f"{{{WSSE}}}Username")
        password = token.findtext(f"{{{WSSE}}}Password")
        return user in self.users and self.users[user] == password

    def _process_order(self, params: dict[str, Any], request: httpx.Request) -> dict[str, Any]:
        injected = self._take(("status",))
        if injected is not None:
            return status_fields(injected.text, injected.messages)
        header = params.get("P_HEADER_REC") or {}
        customer = (params.get("P_HEADER_VAL_REC") or {}).get("CUSTOMER_NUMBER")
        lines = (params.get("P_LINE_TBL") or {}).get("P_LINE_TBL_ITEM") or []
        lines = lines if isinstance(lines, list) else [lines]
        messages = []
        if not header.get("ORDER_TYPE_ID"):
            messages.append("Attribute Order Type is required. Please enter a value for Order Type.")
        if customer not in {c["ACCOUNT_NUMBER"] for c in self.customers if c["STATUS"] == "A"}:
            messages.append(f"Validation failed for the field - Customer ({customer}).")
        if not lines:
            messages.append("An order must have at least one line.")
        known = {i["SEGMENT1"] for i in self.items if i["INVENTORY_ITEM_STATUS_CODE"] == "Active"}
        for line in lines:
            if line.get("ORDERED_ITEM") not in known:
                number, item = line.get("LINE_NUMBER"), line.get("ORDERED_ITEM")
                messages.append(f"Line {number}: Validation failed for the field - Ordered Item ({item}).")
            if Decimal(line.get("ORDERED_QUANTITY") or "0") <= 0:
                messages.append(
                    f"Line {line.get('LINE_NUMBER')}: Ordered Quantity must be greater than zero."
                )
        if messages:
            return status_fields("E", messages)
        self._ids["header"] += 1
        self._ids["number"] += 1
        order = {
            **header,
            "HEADER_ID": self._ids["header"],
            "ORDER_NUMBER": self._ids["number"],
            "FLOW_STATUS_CODE": "ENTERED",
            "BOOKED_FLAG": "N",
            "CUSTOMER_NUMBER": customer,
            "lines": [],
        }
        for line in lines:
            self._ids["line"] += 1
            order["lines"].append(
                {
                    **line,
                    "LINE_ID": self._ids["line"],
                    "HEADER_ID": order["HEADER_ID"],
                    "FLOW_STATUS_CODE": "ENTERED",
                }
            )
        self.orders.append(order)
        if self._timeouts_after_commit > 0:
            self._timeouts_after_commit -= 1
            raise httpx.ReadTimeout("timed out waiting for PROCESS_ORDER", request=request)
        out_header = {
            k: order.get(k)
            for k in ("HEADER_ID", "ORDER_NUMBER", "ORIG_SYS_DOCUMENT_REF", "FLOW_STATUS_CODE", "BOOKED_FLAG")
        }
        out_lines = [
            {
                k: line.get(k)
                for k in (
                    "LINE_ID",
                    "HEADER_ID",
                    "LINE_NUMBER",
                    "ORDERED_ITEM",
                    "ORDERED_QUANTITY",
                    "FLOW_STATUS_CODE",
                )
            }
            for line in order["lines"]
        ]
        return {
            **status_fields("S", []),
            "X_HEADER_REC": out_header,
            "X_LINE_TBL": {"P_LINE_TBL_ITEM": out_lines},
        }

    def _page(
        self, rows: list[dict[str, Any]], params: dict[str, Any], id_field: str, table: str
    ) -> dict[str, Any]:
        since = params.get("P_LAST_UPDATE_FROM")
        if since:
            lower = datetime.fromisoformat(since)
            rows = [r for r in rows if r["LAST_UPDATE_DATE"] >= lower]
        rows = sorted(rows, key=lambda r: (r["LAST_UPDATE_DATE"], r[id_field]))
        offset, limit = int(Decimal(params.get("P_OFFSET") or 0)), int(Decimal(params.get("P_LIMIT") or 100))
        page = rows[offset : offset + limit]
        return {
            table: {f"{table}_ITEM": page},
            "X_HAS_MORE": "Y" if offset + limit < len(rows) else "N",
            **status_fields("S", []),
        }

    def _get_customers(self, params: dict[str, Any], request: httpx.Request) -> dict[str, Any]:
        return self._page(self.customers, params, "CUST_ACCOUNT_ID", "X_CUSTOMERS")

    def _get_items(self, params: dict[str, Any], request: httpx.Request) -> dict[str, Any]:
        org = params.get("P_ORGANIZATION_ID")
        rows = [r for r in self.items if org is None or r["ORGANIZATION_ID"] == Decimal(org)]
        return self._page(rows, params, "INVENTORY_ITEM_ID", "X_ITEMS")

    def _find_order(self, params: dict[str, Any], request: httpx.Request) -> dict[str, Any]:
        reference, source = params.get("P_ORIG_SYS_DOCUMENT_REF"), params.get("P_ORDER_SOURCE_ID")
        found = [
            o
            for o in self.orders_by_reference(reference or "")
            if source is None or str(o.get("ORDER_SOURCE_ID")) == source
        ]
        if not found:
            return status_fields("S", [])
        order = found[-1]
        return {
            "X_HEADER_ID": order["HEADER_ID"],
            "X_ORDER_NUMBER": order["ORDER_NUMBER"],
            "X_FLOW_STATUS_CODE": order["FLOW_STATUS_CODE"],
            **status_fields("S", []),
        }


def _injected_response(injected: _Injected) -> httpx.Response:
    if injected.kind == "fault":
        return fault(injected.code, injected.text)
    if injected.kind == "raw":
        return httpx.Response(
            injected.status, content=injected.body, headers={"Content-Type": injected.content_type}
        )
    headers = {"Retry-After": injected.retry_after} if injected.retry_after else {}
    return httpx.Response(injected.status, headers=headers, text="Service Temporarily Unavailable")
