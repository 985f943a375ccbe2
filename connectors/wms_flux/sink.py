"""Outbound orders to FLUX (``putSOData``), at most once per order reference.

Our order reference is FLUX's ``OrderNo``, so the WMS itself refuses a second document with
the same number (``S006``); :meth:`FluxOrderSink.lookup` asks ``queryOrderProcess`` whether an
order already landed. Use it through :func:`connectors.sink.submit_exactly_once`: a
``putSOData`` that times out after sending raises ``AmbiguousOutcome`` and the order is looked
up before any retry, so a lost answer never becomes a second outbound order.

The document (built by the outbox flow from a canonical order)::

    {"warehouse_code": "WH01", "order_type": "SO", "ordered_at": datetime (aware, optional),
     "carrier_code": "SF", "notes": "...",
     "consignee": {"code", "name", "phone", "province", "city", "district", "address"},
     "lines": [{"line_no": 1, "sku": "A001", "qty": Decimal("12"), "lot": "B2405"}]}
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from canonical_model.errors import ValidationError
from connectors.spec import parse_config
from connectors.vendor_kit import beijing_text
from connectors.wms_flux.client import FluxClient
from connectors.wms_flux.errors import FluxRecordExists
from connectors.wms_flux.spec import FluxConfig

__all__ = ["FluxOrderSink", "order_header"]

_CONSIGNEE_FIELDS = {
    "code": "ConsigneeID",
    "name": "ConsigneeName",
    "phone": "C_Tel1",
    "province": "C_Province",
    "city": "C_City",
    "district": "C_District",
    "address": "C_Address1",
}


class FluxOrderSink:
    """A :class:`connectors.sink.Sink` writing outbound orders to FLUX."""

    def __init__(
        self,
        config: FluxConfig | Mapping[str, Any],
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = (
            config
            if isinstance(config, FluxConfig)
            else parse_config(FluxConfig, config, connector="wms-flux")
        )
        self._client = FluxClient(self.config, transport=transport, sleep=sleep)

    def submit(self, document: Mapping[str, Any], *, idempotency_key: str) -> str:
        """Send the order as ``OrderNo = idempotency_key``; return FLUX's order number."""
        header = order_header(document, order_no=idempotency_key, customer_id=self.config.customer_id)
        try:
            info = self._client.put_order(header)
        except FluxRecordExists:
            existing = self.lookup(idempotency_key)
            if existing is None:
                raise
            return existing
        reference = info.get("WMSOrderNo")
        if reference:
            return str(reference)
        return self.lookup(idempotency_key) or idempotency_key

    def lookup(self, idempotency_key: str) -> str | None:
        """FLUX's order number for our reference, or None when no warehouse has it."""
        for warehouse in self.config.warehouse_ids:
            found = self._client.find_order(idempotency_key, warehouse)
            if found is not None:
                return str(found.get("WMSOrderNo") or found.get("OrderNo") or idempotency_key)
        return None

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


def order_header(document: Mapping[str, Any], *, order_no: str, customer_id: str) -> dict[str, Any]:
    """The ``putSOData`` header for ``document``; :class:`ValidationError` names what is missing."""
    warehouse = document.get("warehouse_code")
    if not warehouse:
        raise ValidationError(f"order {order_no}: warehouse_code is required")
    lines = document.get("lines") or []
    if not lines:
        raise ValidationError(f"order {order_no}: an order needs at least one line")
    ordered_at = document.get("ordered_at") or datetime.now(UTC)
    if not isinstance(ordered_at, datetime) or ordered_at.tzinfo is None:
        raise ValidationError(f"order {order_no}: ordered_at must be an aware datetime")
    header: dict[str, Any] = {
        "OrderNo": order_no,
        "OrderType": str(document.get("order_type") or "SO"),
        "CustomerID": customer_id,
        "WarehouseID": str(warehouse),
        "OrderTime": beijing_text(ordered_at),
    }
    consignee = document.get("consignee") or {}
    for key, field in _CONSIGNEE_FIELDS.items():
        if consignee.get(key):
            header[field] = str(consignee[key])
    if document.get("carrier_code"):
        header["CarrierId"] = str(document["carrier_code"])
    if document.get("notes"):
        header["Notes"] = str(document["notes"])
    header["detailsItem"] = [_line(order_no, customer_id, i, line) for i, line in enumerate(lines, start=1)]
    return header


def _line(order_no: str, customer_id: str, index: int, line: Mapping[str, Any]) -> dict[str, Any]:
    sku = line.get("sku")
    try:
        qty = Decimal(str(line.get("qty")))
    except InvalidOperation as exc:
        raise ValidationError(
            f"order {order_no} line {index}: qty {line.get('qty')!r} is not a number"
        ) from exc
    if not sku or not qty.is_finite() or qty <= 0:
        raise ValidationError(f"order {order_no} line {index}: needs a sku and a positive qty")
    item: dict[str, Any] = {
        "LineNo": str(line.get("line_no") or index),
        "CustomerID": customer_id,
        "SKU": str(sku),
        "QtyOrdered": format(qty.normalize(), "f"),
    }
    if line.get("lot"):
        item["Lotatt04"] = str(line["lot"])
    return item
