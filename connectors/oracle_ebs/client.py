"""SOAP access to EBS through Integrated SOA Gateway, with the WSDLs shipped in ``wsdl/``.

Two ISG services: ``OE_ORDER_PUB`` (``PROCESS_ORDER``, the standard order API) and
``XX_DMSHUB_QUERY_PUB`` (``GET_CUSTOMERS``, ``GET_ITEMS``, ``FIND_ORDER``: the read package
the hub expects, see its WSDL). Both go through :func:`connectors.soap.build_soap_client`
(hardened parsing, WS-Security ``UsernameToken``, the hub's httpx client) and are loaded on
first use. Reads restart their filter at the last ``LAST_UPDATE_DATE`` read after each page
(the offset then counts only rows at that instant), so rows changing while paging are never
skipped. EBS dates without an offset are read in ``server_timezone``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from zeep.helpers import serialize_object

from connectors.http import HttpClientConfig
from connectors.oracle_ebs.errors import SYSTEM, check_return_status
from connectors.oracle_ebs.spec import OracleEbsConfig
from connectors.soap import SoapClient, build_soap_client

__all__ = [
    "ORDER_PACKAGE",
    "QUERY_PACKAGE",
    "SYSTEM",
    "WSDL_DIR",
    "EbsClient",
    "EbsPage",
    "FoundOrder",
    "wsdl_path",
]

WSDL_DIR = Path(__file__).parent / "wsdl"
ORDER_PACKAGE = "OE_ORDER_PUB"
QUERY_PACKAGE = "XX_DMSHUB_QUERY_PUB"
_HEADER_NS = {
    ORDER_PACKAGE: "http://xmlns.oracle.com/apps/ont/soaprovider/plsql/oe_order_pub/",
    QUERY_PACKAGE: "http://xmlns.oracle.com/apps/xx/soaprovider/plsql/xx_dmshub_query_pub/",
}
_LISTS = {"GET_CUSTOMERS": ("X_CUSTOMERS", "X_CUSTOMERS_ITEM"), "GET_ITEMS": ("X_ITEMS", "X_ITEMS_ITEM")}


def wsdl_path(package: str) -> Path:
    """The shipped WSDL of an ISG package."""
    return WSDL_DIR / f"{package}.wsdl"


@dataclass(frozen=True)
class EbsPage:
    """One page of a read: its rows (plain dicts) and where it came from."""

    rows: list[dict[str, Any]]
    offset: str


@dataclass(frozen=True)
class FoundOrder:
    """An order found by its ``ORIG_SYS_DOCUMENT_REF``."""

    header_id: int
    order_number: str
    flow_status_code: str | None


class EbsClient:
    """The SOAP calls the connector makes; every error is a hub error."""

    def __init__(
        self,
        config: OracleEbsConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.zone = ZoneInfo(config.server_timezone)
        self._transport = transport
        self._sleep = sleep
        self._clients: dict[str, SoapClient] = {}

    def soap(self, package: str) -> SoapClient:
        """The client of one ISG package (built on first use)."""
        client = self._clients.get(package)
        if client is None:
            http = HttpClientConfig(
                system=SYSTEM,
                read_timeout=self.config.timeout_seconds,
                max_retries=self.config.max_retries,
                sleep=self._sleep,
            )
            client = build_soap_client(
                wsdl_path(package),
                http,
                endpoint=self.config.endpoint(package),
                username=self.config.username,
                password=self.config.password.get_secret_value(),
                transport=self._transport,
            )
            self._clients[package] = client
        return client

    def pages(self, operation: str, *, since: datetime | None, **filters: Any) -> Iterator[EbsPage]:
        """Pages of ``GET_CUSTOMERS`` / ``GET_ITEMS`` rows with ``LAST_UPDATE_DATE >= since``."""
        table, item = _LISTS[operation]
        lower, offset = since, 0
        while True:
            result = self._call(
                QUERY_PACKAGE,
                operation,
                idempotent=True,
                P_LAST_UPDATE_FROM=lower.astimezone(self.zone) if lower is not None else None,
                P_OFFSET=offset,
                P_LIMIT=self.config.page_size,
                **filters,
            )
            rows = [self._row(row) for row in ((result.get(table) or {}).get(item) or [])]
            yield EbsPage(rows, f"offset={offset}" + (f"&since={lower.isoformat()}" if lower else ""))
            if not rows or str(result.get("X_HAS_MORE") or "N").upper() != "Y":
                return
            last = rows[-1].get("LAST_UPDATE_DATE")
            if not isinstance(last, datetime) or (lower is not None and last == lower):
                offset += len(rows)
            else:
                lower, offset = last, sum(1 for row in rows if row.get("LAST_UPDATE_DATE") == last)

    def find_order(self, reference: str) -> FoundOrder | None:
        """The order whose ``ORIG_SYS_DOCUMENT_REF`` is ``reference`` (in our order source), or None."""
        result = self._call(
            QUERY_PACKAGE,
            "FIND_ORDER",
            idempotent=True,
            P_ORIG_SYS_DOCUMENT_REF=reference,
            P_ORDER_SOURCE_ID=self.config.order_source_id,
        )
        if result.get("X_HEADER_ID") is None:
            return None
        number = result.get("X_ORDER_NUMBER")
        return FoundOrder(
            header_id=int(result["X_HEADER_ID"]),
            order_number=_number_text(number if number is not None else result["X_HEADER_ID"]),
            flow_status_code=result.get("X_FLOW_STATUS_CODE"),
        )

    def process_order(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """``OE_ORDER_PUB.PROCESS_ORDER`` (a write: never retried blindly)."""
        return self._call(ORDER_PACKAGE, "PROCESS_ORDER", idempotent=False, **arguments)

    def ping(self) -> None:
        """One tiny read (one customer): proves the endpoint and the credentials."""
        self._call(QUERY_PACKAGE, "GET_CUSTOMERS", idempotent=True, P_OFFSET=0, P_LIMIT=1)

    def close(self) -> None:
        """Close every SOAP client built so far."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def _call(self, package: str, operation: str, *, idempotent: bool, **arguments: Any) -> dict[str, Any]:
        client = self.soap(package)
        result = client.call(
            operation, idempotent=idempotent, soapheaders=self._soa_header(client, package), **arguments
        )
        plain = serialize_object(result, target_cls=dict)  # type: ignore[no-untyped-call]
        if not isinstance(plain, dict):
            plain = {}
        check_return_status(plain, operation=f"{package}.{operation}")
        return plain

    def _soa_header(self, client: SoapClient, package: str) -> list[Any] | None:
        c = self.config
        values = {
            "Responsibility": c.responsibility,
            "RespApplication": c.resp_application,
            "SecurityGroup": c.security_group,
            "NLSLanguage": c.nls_language,
            "Org_Id": str(c.org_id) if c.org_id is not None else None,
        }
        present = {k: v for k, v in values.items() if v is not None}
        if not present:
            return None
        return [client.element(f"{{{_HEADER_NS[package]}}}SOAHeader")(**present)]

    def _row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {key: self._utc(value) if isinstance(value, datetime) else value for key, value in row.items()}

    def _utc(self, value: datetime) -> datetime:
        local = value.replace(tzinfo=self.zone) if value.tzinfo is None else value
        return local.astimezone(UTC)


def _number_text(value: Any) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value)
