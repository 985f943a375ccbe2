"""The FLUX client: signed method calls over the hub's HTTP client, typed errors, paging."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import httpx

from connectors.errors import FatalConnectorError
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client
from connectors.vendor_kit import VendorPage, beijing_text, paginate, vendor_error
from connectors.wms_flux.errors import RETURN_CODES, SUCCESS, SYSTEM, FluxRejected
from connectors.wms_flux.signing import dumps, flux_sign
from connectors.wms_flux.spec import FluxConfig

__all__ = ["MESSAGE_IDS", "FluxClient"]

MESSAGE_IDS: Mapping[str, str] = MappingProxyType(
    {
        "putSOData": "SO",
        "cancelSOData": "SOC",
        "confirmSOData": "SOCF",
        "queryINVData": "INVQ",
        "inventoryReport": "INVR",
        "queryOrderProcess": "PRCSQ",
    }
)
"""``messageid`` sent with each method (as integrator routers send them)."""


class FluxClient:
    """Signed FLUX method calls; every failure is a hub error (see :mod:`.errors`)."""

    def __init__(
        self,
        config: FluxConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self._secret = config.app_secret.get_secret_value()
        self._now = now
        self._http: HubHttpClient = build_http_client(
            HttpClientConfig(
                system=SYSTEM,
                base_url=config.base_url,
                read_timeout=config.request_timeout,
                max_retries=config.max_retries,
                rate_limit_per_second=config.rate_limit_per_second,
                secrets=(
                    self._secret,
                    config.app_token.get_secret_value(),
                    config.app_key.get_secret_value(),
                ),
                sleep=sleep,
            ),
            transport=transport,
        )

    def call(self, method: str, xmldata: Mapping[str, Any], *, write: bool = False) -> dict[str, Any]:
        """Call ``method`` with ``{"xmldata": xmldata}``; return the ``Response`` object.

        ``write=True`` marks a call that changes the WMS: a timeout after sending raises
        :class:`~connectors.errors.AmbiguousOutcome` instead of being retried blindly.
        """
        data = dumps({"xmldata": xmldata})
        form = {
            "method": method,
            "client_customerid": self.config.client_customerid,
            "client_db": self.config.client_db,
            "messageid": MESSAGE_IDS.get(method, method),
            "appkey": self.config.app_key.get_secret_value(),
            "apptoken": self.config.app_token.get_secret_value(),
            "timestamp": beijing_text(self._now()),
            "format": "json",
            "v": "1.0",
            "data": data,
            "sign": flux_sign(data, self._secret, digest=self.config.digest_encoding),
        }
        response = self._http.request("POST", "", data=form, idempotent=not write)
        try:
            body = json.loads(response.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FatalConnectorError(
                f"{SYSTEM}: {method} answered with a body that is not JSON", system=SYSTEM
            ) from exc
        answer = body.get("Response") if isinstance(body, dict) else None
        result = answer.get("return") if isinstance(answer, dict) else None
        if not isinstance(answer, dict) or not isinstance(result, dict):
            raise FatalConnectorError(f"{SYSTEM}: {method} answered without Response.return", system=SYSTEM)
        _raise_for_return(method, result)
        return answer

    def query_inventory(self, warehouse_id: str, page_no: int) -> VendorPage:
        """One page of stock (``queryINVData`` or ``inventoryReport`` by config)."""
        answer = self.call(
            self.config.inventory_method,
            {"data": {"header": [self._page_header(warehouse_id, page_no, SKU="")]}},
        )
        return VendorPage(_rows(answer.get("items"), "item"), _total(answer))

    def query_shipments(self, warehouse_id: str, since: datetime, page_no: int) -> VendorPage:
        """One page of shipment confirmations shipped at or after ``since``."""
        header = self._page_header(warehouse_id, page_no, StartTime=beijing_text(since))
        answer = self.call("confirmSOData", {"data": {"header": [header]}})
        return VendorPage(_rows(answer.get("ordernos"), "orderinfo"), _total(answer))

    def pages(self, fetch: Callable[[int], VendorPage]) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """``(page number, rows)`` of a paged query (see :func:`connectors.vendor_kit.paginate`)."""
        return paginate(fetch, page_size=self.config.page_size)

    def put_order(self, header: Mapping[str, Any]) -> dict[str, Any]:
        """``putSOData`` one order; its ``resultInfo`` row (empty when the WMS sent none)."""
        answer = self.call("putSOData", {"header": [dict(header)]}, write=True)
        info = _result_info(answer)
        return info[0] if info else {}

    def find_order(self, order_no: str, warehouse_id: str) -> dict[str, Any] | None:
        """The WMS's record of our ``order_no`` (``queryOrderProcess``), or None."""
        header = {"OrderNo": order_no, "CustomerID": self.config.customer_id, "WarehouseID": warehouse_id}
        answer = self.call("queryOrderProcess", {"data": {"header": [header]}})
        found = [row for row in _rows(answer.get("ordernos"), "orderinfo") if row.get("OrderNo") == order_no]
        return found[0] if found else None

    def _page_header(self, warehouse_id: str, page_no: int, **extra: str) -> dict[str, Any]:
        return {
            "CustomerID": self.config.customer_id,
            "WarehouseID": warehouse_id,
            **extra,
            "PageNo": page_no,
            "PageSize": self.config.page_size,
        }

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()


def _raise_for_return(method: str, result: Mapping[str, Any]) -> None:
    flag = str(result.get("returnFlag") or "")
    code = str(result.get("returnCode") or "")
    if flag == "1" or (not flag and code == SUCCESS):
        return
    detail = str(result.get("returnDesc") or "")
    if flag == "2":  # partial: the first failed record names the cause
        for row in result.get("resultInfo") or ():
            if isinstance(row, Mapping) and str(row.get("errorcode") or "0") not in ("0", SUCCESS):
                code = str(row["errorcode"])
                detail = str(row.get("errordescr") or "")
                break
    code = code or "unknown"
    if code in RETURN_CODES and detail.strip() == RETURN_CODES[code].meaning:
        detail = ""
    detail = f"{method}: {detail}" if detail.strip() else f"in {method}"
    raise vendor_error(RETURN_CODES, code, system=SYSTEM, fallback=FluxRejected, detail=detail)


def _rows(container: Any, key: str) -> list[dict[str, Any]]:
    rows = container.get(key) if isinstance(container, Mapping) else None
    if isinstance(rows, Mapping):  # one record comes as an object, not a list (XML heritage)
        rows = [rows]
    return [dict(row) for row in rows or () if isinstance(row, Mapping)]


def _result_info(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    info = answer["return"].get("resultInfo")
    if isinstance(info, Mapping):
        info = [info]
    return [dict(row) for row in info or () if isinstance(row, Mapping)] if isinstance(info, list) else []


def _total(answer: Mapping[str, Any]) -> int | None:
    value = answer["return"].get("resultInfo")
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None
