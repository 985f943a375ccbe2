"""A SANDBOX of a FLUX-style WMS method API: a stateful fake for tests and demos, not 富勒's service.

One endpoint takes every method as a signed form POST and answers
``{"Response": {"return": {"returnCode", "returnDesc", "returnFlag", "resultInfo"}, ...}}``:

=======================  ======================================================================
``queryINVData``         stock per warehouse × SKU × lot, paged (``PageNo``/``PageSize``, capped
``inventoryReport``      at ``max_page_size``); ``resultInfo`` is the total; rows in ``items.item``
``confirmSOData``        shipment confirmations shipped at/after ``StartTime``, paged, in
                         ``ordernos.orderinfo`` (the real FLUX pushes these; the sandbox also
                         serves them as a pull, which is how the source reads them)
``putSOData``            stores orders by ``OrderNo``; a known ``OrderNo`` → ``S006``
``queryOrderProcess``    the stored order (``WMSOrderNo``, status) for an ``OrderNo``
=======================  ======================================================================

Checks: ``appkey``/``apptoken``/``sign`` (``S001``), ``format=json`` and parsable ``data``
(``S003``), the owner ``CustomerID`` (``S004``). Faults on demand: :mod:`connectors.sandbox_kit`.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx

from connectors.sandbox_kit import FakeApi
from connectors.vendor_kit import beijing_text, parse_beijing
from connectors.wms_flux.errors import RETURN_CODES
from connectors.wms_flux.signing import SignDigest, flux_sign

__all__ = ["SANDBOX_CREDENTIALS", "FluxSandbox"]

SANDBOX_CREDENTIALS: Mapping[str, str] = {
    "app_key": "sandbox-flux-appkey",
    "app_token": "sandbox-flux-apptoken",
    "app_secret": "sandbox-flux-secret",
    "client_customerid": "FLUXWMSJSON",
    "customer_id": "OWNER01",
}

Row = dict[str, Any]


class FluxSandbox(FakeApi):
    """The fake FLUX endpoint (see the module docstring)."""

    NOTICE = "DMS Hub FLUX sandbox: a fake FLUX-style WMS API for tests and demos, not 富勒's service."

    def __init__(
        self,
        *,
        app_key: str = SANDBOX_CREDENTIALS["app_key"],
        app_token: str = SANDBOX_CREDENTIALS["app_token"],
        app_secret: str = SANDBOX_CREDENTIALS["app_secret"],
        client_customerid: str = SANDBOX_CREDENTIALS["client_customerid"],
        customer_id: str = SANDBOX_CREDENTIALS["customer_id"],
        digest_encoding: SignDigest = "hex",
        max_page_size: int = 500,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self.app_key, self.app_token, self.app_secret = app_key, app_token, app_secret
        self.client_customerid = client_customerid
        self.customer_id = customer_id
        self.digest_encoding: SignDigest = digest_encoding
        self.max_page_size = max_page_size
        self.now = now
        self.stock: dict[tuple[str, str, str], Row] = {}
        self.orders: dict[str, Row] = {}
        self.shipments: list[Row] = []
        self.calls: list[str] = []

    # ------------------------------------------------------------------ data

    def set_stock(
        self,
        warehouse: str,
        sku: str,
        qty: str | int,
        *,
        lot: str = "",
        allocated: str | int = 0,
        produced: str = "",
        expires: str = "",
    ) -> None:
        """Put one stock row (quantities as the WMS sends them: text)."""
        self.stock[(warehouse, sku, lot)] = {
            "CustomerID": self.customer_id,
            "WarehouseID": warehouse,
            "SKU": sku,
            "Qty": str(qty),
            "Qty_EA": str(qty),
            "QtyAllocated": str(allocated),
            "Lotatt01": produced,
            "Lotatt02": expires,
            "Lotatt04": lot,
        }

    def add_shipment(
        self,
        wms_order_no: str,
        *,
        warehouse: str,
        shipped_at: datetime,
        lines: Sequence[tuple[str, str | int, str]],
        oms_order_no: str = "",
        carrier_id: str = "SF",
        carrier_name: str = "顺丰速运",
        delivery_no: str = "",
    ) -> None:
        """Record a shipment confirmation; ``lines`` are ``(sku, qty, lot)``."""
        stamp = beijing_text(shipped_at)
        self.shipments.append(
            {
                "OMSOrderNo": oms_order_no,
                "WMSOrderNo": wms_order_no,
                "OrderType": "SO",
                "CustomerID": self.customer_id,
                "WarehouseID": warehouse,
                "CarrierId": carrier_id,
                "CarrierName": carrier_name,
                "DeliveryNo": delivery_no,
                "Weight": "0",
                "item": [
                    {
                        "OrderNo": wms_order_no,
                        "LineNo": str(i),
                        "SKU": sku,
                        "QtyOrdered": str(qty),
                        "QtyShipped": str(qty),
                        "ShippedTime": stamp,
                        "Lotatt04": lot,
                    }
                    for i, (sku, qty, lot) in enumerate(lines, start=1)
                ],
            }
        )

    @classmethod
    def demo(
        cls,
        *,
        warehouses: Iterable[str] = ("WH01", "WH02"),
        skus: int = 12,
        shipped_from: datetime,
        **kwargs: Any,
    ) -> FluxSandbox:
        """Stock for ``skus`` SKUs in each warehouse (two lots each) and two shipments per warehouse.

        The two shipments of a warehouse share their ship time, so cursor boundaries get exercised.
        """
        sandbox = cls(**kwargs)
        for w, warehouse in enumerate(warehouses):
            for i in range(1, skus + 1):
                for lot in ("B2405", "B2406"):
                    sandbox.set_stock(
                        warehouse,
                        f"SKU{i:03d}",
                        10 * i + w,
                        lot=lot,
                        allocated=i % 3,
                        produced="2024-05-01",
                        expires="2026-05-01",
                    )
            for n in range(1, 3):
                sandbox.add_shipment(
                    f"{warehouse}-SO{n:04d}",
                    warehouse=warehouse,
                    shipped_at=shipped_from + timedelta(hours=(n + 1) // 2),
                    lines=[(f"SKU{n:03d}", n * 2, "B2405"), (f"SKU{n + 1:03d}", 1, "B2406")],
                    oms_order_no=f"PO-{warehouse}-{n}",
                    delivery_no=f"SF{w}{n:010d}",
                )
        return sandbox

    # ------------------------------------------------------------------ HTTP

    def respond(self, request: httpx.Request) -> httpx.Response:
        """Answer one method call (faults are handled by the base)."""
        if request.method != "POST":
            return httpx.Response(405, text="method not allowed", request=request)
        form = dict(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
        method = form.get("method", "")
        self.calls.append(method)
        if (code := self.take_vendor_error()) is not None:
            return self._fail(request, code)
        if not self._authentic(form):
            return self._fail(request, "S001")
        if form.get("format", "json").lower() != "json":
            return self._fail(request, "S003", "format: only json in this sandbox")
        try:
            xmldata = json.loads(form.get("data", ""))["xmldata"]
        except (json.JSONDecodeError, KeyError, TypeError):
            return self._fail(request, "S003", 'data is not {"xmldata": ...}')
        handler = {
            "queryINVData": self._inventory,
            "inventoryReport": self._inventory,
            "confirmSOData": self._confirmations,
            "putSOData": self._put_orders,
            "queryOrderProcess": self._order_process,
        }.get(method)
        if handler is None:
            return self._fail(request, "S007", f"unknown method {method}")
        return _json(request, handler(xmldata))

    def _authentic(self, form: Mapping[str, str]) -> bool:
        expected = flux_sign(form.get("data", ""), self.app_secret, digest=self.digest_encoding)
        return (
            form.get("appkey") == self.app_key
            and form.get("apptoken") == self.app_token
            and form.get("client_customerid") == self.client_customerid
            and hmac.compare_digest(expected.encode(), form.get("sign", "").encode())
        )

    def _fail(self, request: httpx.Request, code: str, desc: str | None = None) -> httpx.Response:
        meaning = RETURN_CODES[code].meaning if code in RETURN_CODES else "error"
        return _json(request, _return("0", code, desc or meaning))

    def _query_header(self, xmldata: Any) -> Row | None:
        try:
            header = xmldata["data"]["header"]
            header = header[0] if isinstance(header, list) else header
        except (KeyError, IndexError, TypeError):
            return None
        return dict(header) if isinstance(header, Mapping) else None

    def _paged(self, header: Row, rows: list[Row], key: tuple[str, str]) -> Row:
        try:
            page_no = max(1, int(header.get("PageNo") or 1))
            size = min(self.max_page_size, max(1, int(header.get("PageSize") or 100)))
        except (TypeError, ValueError):
            return _return("0", "S003", "PageNo/PageSize must be numbers")
        page = rows[(page_no - 1) * size : page_no * size]
        return {**_return("1", "0000", "ok", str(len(rows))), key[0]: {key[1]: page}}

    def _inventory(self, xmldata: Any) -> Row:
        header = self._query_header(xmldata)
        if header is None:
            return _return("0", "S003", "data.header is required")
        if header.get("CustomerID") != self.customer_id:
            return _return("0", "S004", f"unknown owner {header.get('CustomerID')}")
        rows = [
            dict(row)
            for key, row in sorted(self.stock.items())
            if key[0] == header.get("WarehouseID") and (not header.get("SKU") or key[1] == header["SKU"])
        ]
        return self._paged(header, rows, ("items", "item"))

    def _confirmations(self, xmldata: Any) -> Row:
        header = self._query_header(xmldata)
        if header is None:
            return _return("0", "S003", "data.header is required")
        if header.get("CustomerID") != self.customer_id:
            return _return("0", "S004", f"unknown owner {header.get('CustomerID')}")
        try:
            start = parse_beijing(header.get("StartTime")) or datetime.min.replace(tzinfo=UTC)
        except ValueError:
            return _return("0", "S003", "StartTime is not yyyy-MM-dd HH:mm:ss")
        shipped = [
            (max(parse_beijing(i["ShippedTime"]) or start for i in order["item"]), order)
            for order in self.shipments
            if order["WarehouseID"] == header.get("WarehouseID")
        ]
        rows = [dict(o) for t, o in sorted(shipped, key=lambda p: (p[0], p[1]["WMSOrderNo"])) if t >= start]
        return self._paged(header, rows, ("ordernos", "orderinfo"))

    def _put_orders(self, xmldata: Any) -> Row:
        headers = xmldata.get("header") if isinstance(xmldata, Mapping) else None
        if not isinstance(headers, list) or not headers:
            return _return("0", "S003", "xmldata.header is required")
        results = [self._put_order(h) for h in headers]
        failed = [r for r in results if r["errorcode"] != "0"]
        if not failed:
            return _return("1", "0000", "ok", results)
        if len(results) == 1:
            return _return("0", failed[0]["errorcode"], failed[0]["errordescr"], results)
        return _return("2", "0001", "部分失败", results)

    def _put_order(self, header: Any) -> Row:
        if not isinstance(header, Mapping):
            return _record("", "S003", "header is not an object")
        order_no = str(header.get("OrderNo") or "")
        details = header.get("detailsItem") or []
        if not order_no or not header.get("WarehouseID") or not details:
            return _record(order_no, "S003", "OrderNo, WarehouseID and detailsItem are required")
        if header.get("CustomerID") != self.customer_id:
            return _record(order_no, "S004", "unknown owner")
        if any(not d.get("SKU") or not str(d.get("QtyOrdered") or "").strip() for d in details):
            return _record(order_no, "S003", "every detailsItem needs SKU and QtyOrdered")
        if order_no in self.orders:
            return _record(order_no, "S006", "订单已存在, 不能修改")
        wms_no = f"SO{len(self.orders) + 1:08d}"
        self.orders[order_no] = {
            "header": dict(header),
            "WMSOrderNo": wms_no,
            "Time": beijing_text(self.now()),
        }
        return {**_record(order_no, "0", ""), "WMSOrderNo": wms_no, "WarehouseID": header["WarehouseID"]}

    def _order_process(self, xmldata: Any) -> Row:
        header = self._query_header(xmldata)
        if header is None:
            return _return("0", "S003", "data.header is required")
        stored = self.orders.get(str(header.get("OrderNo") or ""))
        found = []
        if stored is not None and stored["header"].get("WarehouseID") == header.get("WarehouseID"):
            found.append(
                {
                    "OrderNo": stored["header"]["OrderNo"],
                    "WMSOrderNo": stored["WMSOrderNo"],
                    "OrderType": stored["header"].get("OrderType", "SO"),
                    "CustomerID": self.customer_id,
                    "WarehouseID": stored["header"]["WarehouseID"],
                    "Status": "10",
                    "Desc": "订单创建",
                    "Time": stored["Time"],
                }
            )
        return {**_return("1", "0000", "ok"), "ordernos": {"orderinfo": found}}


def _return(flag: str, code: str, desc: str, info: Any = "") -> Row:
    return {"return": {"returnCode": code, "returnDesc": desc, "returnFlag": flag, "resultInfo": info}}


def _record(order_no: str, code: str, descr: str) -> Row:
    return {
        "OrderNo": order_no,
        "OrderType": "SO",
        "CustomerID": "",
        "WarehouseID": "",
        "errorcode": code,
        "errordescr": descr,
    }


def _json(request: httpx.Request, response: Row) -> httpx.Response:
    return httpx.Response(
        200, json={"Response": response}, headers={"X-Sandbox": "dmshub-flux"}, request=request
    )
