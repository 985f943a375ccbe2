"""A canonical order as the parameters of ``BAPI_SALESORDER_CREATEFROMDAT2``.

The order document is the ``orders`` row with its ``order_lines`` under ``lines``::

    {"order_no": "SO20261101-9F2C4A1B7E", "dealer_code": "D1-003", "order_date": "2026-11-01",
     "requested_delivery_date": "2026-11-05", "currency": "CNY",
     "ship_to_dealer_code": "D1-003",              # optional (WE); default: the dealer
     "lines": [{"line_no": 1, "sku": "SKU-10001", "qty": "12", "unit": "EA",
                "net_price": "280.00",               # optional; sent only with price_condition
                "plant": "1000", "storage_location": "0001"}]}   # optional per line

RFC runs no conversion exits, so customer and material numbers are sent in SAP's internal
form (ALPHA-padded when numeric), units as internal codes (``EA`` → ``ST``), partner roles
as the internal AG (sold-to) / WE (ship-to), dates as ``YYYYMMDD``. The order quantity goes
into the schedule line (``REQ_QTY``): an item without one is created with quantity zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.sap_rfc.abap import alpha_input
from connectors.sap_rfc.spec import SalesOrderOptions

__all__ = ["order_parameters"]


def order_parameters(
    document: Mapping[str, Any], reference: str, options: SalesOrderOptions
) -> dict[str, Any]:
    """The BAPI's import and table parameters for ``document``; ``ValueError`` names what is wrong."""
    if len(reference) > options.reference_max_length:
        raise ValueError(
            f"order reference {reference!r} is longer than the {options.reference_max_length} "
            "characters SAP keeps in PURCH_NO_C/BSTNK"
        )
    sold_to = _customer(document.get("dealer_code"), "dealer_code")
    ship_to = _customer(
        document.get("ship_to_dealer_code") or document.get("dealer_code"), "ship_to_dealer_code"
    )
    header: dict[str, Any] = {
        "DOC_TYPE": options.doc_type,
        "SALES_ORG": options.sales_org,
        "DISTR_CHAN": options.distr_chan,
        "DIVISION": options.division,
        "PURCH_NO_C": reference,
        "CURRENCY": str(document.get("currency") or "CNY"),
    }
    if document.get("order_date"):
        header["PURCH_DATE"] = _dats(document["order_date"], "order_date")
    requested = (
        _dats(document["requested_delivery_date"], "requested_delivery_date")
        if document.get("requested_delivery_date")
        else None
    )
    if requested:
        header["REQ_DATE_H"] = requested
    lines = list(document.get("lines") or [])
    if not lines:
        raise ValueError("the order has no lines")
    items, schedules, conditions = [], [], []
    for index, line in enumerate(lines):
        posnr = f"{int(line.get('line_no') or index + 1) * 10:06d}"
        sku = str(line.get("sku") or "").strip()
        if not sku:
            raise ValueError(f"line {index + 1} has no sku")
        qty = _decimal(line.get("qty"), f"line {index + 1} qty")
        if qty <= 0:
            raise ValueError(f"line {index + 1} qty must be positive")
        unit = str(line.get("unit") or "EA").strip().upper()
        sap_unit = options.unit_map.get(unit, unit)
        material = alpha_input(sku, options.material_length)
        item: dict[str, Any] = {
            "ITM_NUMBER": posnr,
            "TARGET_QTY": qty,
            "TARGET_QU": sap_unit,
            "SALES_UNIT": sap_unit,
        }
        item["MATERIAL" if len(material) <= 18 else "MATERIAL_LONG"] = material
        plant = line.get("plant") or options.plant
        if plant:
            item["PLANT"] = str(plant)
        if line.get("storage_location"):
            item["STORE_LOC"] = str(line["storage_location"])
        items.append(item)
        schedule: dict[str, Any] = {"ITM_NUMBER": posnr, "SCHED_LINE": "0001", "REQ_QTY": qty}
        if requested:
            schedule["REQ_DATE"] = requested
        schedules.append(schedule)
        if options.price_condition and line.get("net_price") is not None:
            conditions.append(
                {
                    "ITM_NUMBER": posnr,
                    "COND_TYPE": options.price_condition,
                    "COND_VALUE": _decimal(line["net_price"], f"line {index + 1} net_price"),
                    "CURRENCY": header["CURRENCY"],
                }
            )
    params: dict[str, Any] = {
        "ORDER_HEADER_IN": header,
        "ORDER_PARTNERS": [
            {"PARTN_ROLE": "AG", "PARTN_NUMB": sold_to},
            {"PARTN_ROLE": "WE", "PARTN_NUMB": ship_to},
        ],
        "ORDER_ITEMS_IN": items,
        "ORDER_SCHEDULES_IN": schedules,
    }
    if conditions:
        params["ORDER_CONDITIONS_IN"] = conditions
    return params


def _customer(value: Any, name: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValueError(f"{name} is missing")
    return alpha_input(text, 10)


def _decimal(value: Any, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{name} is not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"{name} is not a number: {value!r}")
    return number


def _dats(value: Any, name: str) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    try:
        return date.fromisoformat(str(value)).strftime("%Y%m%d")
    except ValueError as exc:
        raise ValueError(f"{name} is not an ISO date: {value!r}") from exc
