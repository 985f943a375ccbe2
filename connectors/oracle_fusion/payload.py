"""Canonical order → Fusion ``salesOrdersForOrderHub`` create payload.

The document an ERP sink receives is a canonical order (the ``orders`` row) with its
``lines`` (``order_lines`` rows), as JSON-native values::

    {"order_no": "SO-240501-0001", "dealer_code": "D1001", "order_date": "2024-05-01",
     "currency": "CNY", "requested_delivery_date": "2024-05-08",
     "lines": [{"line_no": 1, "sku": "SKU-001", "qty": "12", "unit": "EA", "net_price": "35.50"}]}

:class:`OrderDocument` validates it (the oracle-ebs sink uses it too). The mapping to Fusion:

==============================  ====================================================
Fusion field                    from
==============================  ====================================================
SourceTransactionSystem         config ``source_transaction_system`` (``DMSHUB``)
SourceTransactionId / Number    the idempotency key (pass ``order_no``)
BusinessUnitName                config ``business_unit_name``
BuyingPartyNumber               ``dealer_code`` (dealer codes are Fusion party numbers)
TransactionalCurrencyCode       ``currency``
TransactionOn                   ``order_date`` (midnight UTC)
RequestedShipDate               ``requested_delivery_date`` [unverified field]
lines[].SourceTransactionLineId ``line_no`` (also SourceTransactionLineNumber)
lines[].ProductNumber           ``sku`` [unverified field]
lines[].OrderedQuantity         ``qty`` [unverified field]
lines[].OrderedUOMCode          ``unit`` through config ``uom_codes`` [unverified field]
lines[].UnitSellingPrice        ``net_price`` when given [unverified field]
==============================  ====================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from connectors.errors import RemoteRejected
from connectors.spec import config_error

__all__ = ["OrderDocument", "OrderLineDocument", "parse_order_document", "sales_order_payload"]


class OrderLineDocument(BaseModel):
    """One canonical order line, as an ERP sink needs it."""

    model_config = ConfigDict(extra="ignore")

    line_no: int = Field(ge=1)
    sku: str = Field(min_length=1, max_length=40)
    qty: Decimal = Field(gt=0)
    unit: str = Field(default="EA", min_length=1, max_length=8)
    net_price: Decimal | None = Field(default=None, ge=0)


class OrderDocument(BaseModel):
    """One canonical order with its lines."""

    model_config = ConfigDict(extra="ignore")

    order_no: str = Field(min_length=1, max_length=40)
    dealer_code: str = Field(min_length=1, max_length=32)
    order_date: date
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    requested_delivery_date: date | None = None
    lines: list[OrderLineDocument] = Field(min_length=1)


def parse_order_document(document: Mapping[str, Any], *, system: str) -> OrderDocument:
    """``document`` validated; a bad one is refused (fatal) naming the fields, never values."""
    try:
        return OrderDocument.model_validate(dict(document))
    except PydanticValidationError as exc:
        reason = str(config_error(exc, connector=system)).replace("invalid config", "invalid order document")
        raise RemoteRejected(reason, system=system) from exc


def sales_order_payload(
    order: OrderDocument,
    *,
    source_system: str,
    source_number: str,
    business_unit_name: str,
    uom_codes: Mapping[str, str],
) -> dict[str, Any]:
    """The JSON body of ``POST salesOrdersForOrderHub`` for ``order``."""
    payload: dict[str, Any] = {
        "SourceTransactionSystem": source_system,
        "SourceTransactionId": source_number,
        "SourceTransactionNumber": source_number,
        "BusinessUnitName": business_unit_name,
        "BuyingPartyNumber": order.dealer_code,
        "TransactionalCurrencyCode": order.currency,
        "TransactionOn": f"{order.order_date.isoformat()}T00:00:00+00:00",
        "lines": [
            {
                "SourceTransactionLineId": str(line.line_no),
                "SourceTransactionLineNumber": str(line.line_no),
                "ProductNumber": line.sku,
                "OrderedQuantity": line.qty,
                "OrderedUOMCode": uom_codes.get(line.unit, line.unit),
                **({"UnitSellingPrice": line.net_price} if line.net_price is not None else {}),
            }
            for line in order.lines
        ],
    }
    if order.requested_delivery_date is not None:
        payload["RequestedShipDate"] = f"{order.requested_delivery_date.isoformat()}T00:00:00+00:00"
    return payload
