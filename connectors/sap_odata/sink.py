"""Canonical orders → S/4HANA sales orders by deep insert into ``A_SalesOrder``, exactly once.

The body is the header with its items under ``to_Item`` (and a ship-to under ``to_Partner``
when it differs from the sold-to); our reference travels in ``PurchaseOrderByCustomer``,
which is how :meth:`SapODataSink.lookup` finds an order again. The POST is not idempotent:
a timeout or 5xx after sending is :class:`~connectors.errors.AmbiguousOutcome`, so
:func:`~connectors.sink.submit_order_once` looks the order up before trying again. The
document shape is the one :mod:`connectors.sap_rfc.payload` describes; OData takes customer
and material numbers in their external form, so no ALPHA padding here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from connectors.errors import FatalConnectorError
from connectors.sap_odata.client import SYSTEM, SapODataClient
from connectors.sap_odata.odata import string_literal, to_odata_date
from connectors.sap_odata.spec import ODataOrderOptions, SapODataConfig
from connectors.sink import submit_order_once
from connectors.spec import parse_config

__all__ = ["SapODataSink", "sales_order_body"]


def sales_order_body(
    document: Mapping[str, Any], reference: str, options: ODataOrderOptions
) -> dict[str, Any]:
    """The deep-insert body for ``document``; ``ValueError`` names what is wrong."""
    if len(reference) > options.reference_max_length:
        raise ValueError(
            f"order reference {reference!r} is longer than {options.reference_max_length} characters"
        )
    sold_to = str(document.get("dealer_code") or "").strip()
    if not sold_to:
        raise ValueError("dealer_code is missing")
    body: dict[str, Any] = {
        "SalesOrderType": options.sales_order_type,
        "SalesOrganization": options.sales_organization,
        "DistributionChannel": options.distribution_channel,
        "OrganizationDivision": options.organization_division,
        "SoldToParty": sold_to,
        "PurchaseOrderByCustomer": reference,
        "TransactionCurrency": str(document.get("currency") or "CNY"),
    }
    for source, target in (
        ("order_date", "CustomerPurchaseOrderDate"),
        ("requested_delivery_date", "RequestedDeliveryDate"),
    ):
        if document.get(source):
            body[target] = to_odata_date(_date(document[source], source))
    ship_to = str(document.get("ship_to_dealer_code") or "").strip()
    if ship_to and ship_to != sold_to:
        body["to_Partner"] = [{"PartnerFunction": options.ship_to_partner_function, "Customer": ship_to}]
    items = []
    for index, line in enumerate(document.get("lines") or []):
        sku = str(line.get("sku") or "").strip()
        try:
            qty = Decimal(str(line.get("qty")))
        except InvalidOperation as exc:
            raise ValueError(f"line {index + 1} qty is not a number") from exc
        if not sku or not qty.is_finite() or qty <= 0:
            raise ValueError(f"line {index + 1} needs a sku and a positive qty")
        unit = str(line.get("unit") or "EA").strip().upper()
        items.append(
            {
                "SalesOrderItem": str(int(line.get("line_no") or index + 1) * 10),
                "Material": sku,
                "RequestedQuantity": f"{qty:f}",
                "RequestedQuantityUnit": options.unit_map.get(unit, unit),
            }
        )
    if not items:
        raise ValueError("the order has no lines")
    body["to_Item"] = items
    return body


def _date(value: Any, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValueError(f"{name} is not an ISO date: {value!r}") from exc


class SapODataSink:
    """Creates sales orders through ``API_SALES_ORDER_SRV`` (the :class:`~connectors.sink.Sink`
    protocol, plus :meth:`submit_order`). Keeps one HTTP session (cookies, CSRF token)."""

    def __init__(
        self,
        config: SapODataConfig | Mapping[str, Any],
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config: SapODataConfig = (
            config
            if isinstance(config, SapODataConfig)
            else parse_config(SapODataConfig, config, connector=SYSTEM)
        )
        self.client = SapODataClient(self.config, transport=transport, sleep=sleep)
        self._sleep = sleep

    def submit_order(self, document: Mapping[str, Any]) -> str:
        """Create the order for ``document`` at most once (key: ``order_no``); return ``SalesOrder``."""
        return submit_order_once(
            self, document, system=SYSTEM, retries=self.config.orders.retries, sleep=self._sleep
        )

    def submit(self, document: Mapping[str, Any], *, idempotency_key: str) -> str:
        """POST one order with ``PurchaseOrderByCustomer = idempotency_key``; return its number."""
        try:
            body = sales_order_body(document, idempotency_key, self.config.orders)
        except ValueError as exc:
            raise FatalConnectorError(f"{SYSTEM}: order {idempotency_key}: {exc}", system=SYSTEM) from exc
        created = self.client.create("A_SalesOrder", body)
        number = str(created.get("SalesOrder") or "").strip()
        if not number:
            raise FatalConnectorError(
                f"{SYSTEM}: the created order came back without a number", system=SYSTEM
            )
        return number

    def lookup(self, idempotency_key: str) -> str | None:
        """The ``SalesOrder`` carrying ``idempotency_key`` in our sales organization (the lowest), or None."""
        condition = (
            f"PurchaseOrderByCustomer eq {string_literal(idempotency_key)} and "
            f"SalesOrganization eq {string_literal(self.config.orders.sales_organization)}"
        )
        results, _ = self.client.entities(
            "A_SalesOrder",
            {
                "$filter": condition,
                "$select": "SalesOrder,PurchaseOrderByCustomer",
                "$orderby": "SalesOrder asc",
                "$top": 10,
            },
        )
        numbers = [
            str(r["SalesOrder"]) for r in results if r.get("PurchaseOrderByCustomer") == idempotency_key
        ]
        return numbers[0] if numbers else None

    def close(self) -> None:
        """Close the HTTP session."""
        self.client.close()

    def __enter__(self) -> SapODataSink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
