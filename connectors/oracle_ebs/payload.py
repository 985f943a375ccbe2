"""Canonical order → ``OE_ORDER_PUB.PROCESS_ORDER`` input parameters.

The document is the canonical order of :class:`connectors.oracle_fusion.payload.OrderDocument`
(the ``orders`` row with its ``lines``). Rows start as ``G_MISS_*_REC`` (every field we omit
keeps EBS's "missing" default) with ``OPERATION = CREATE``:

==============================  ====================================================
EBS field                       from
==============================  ====================================================
P_HEADER_REC.ORIG_SYS_DOCUMENT_REF  the idempotency key (pass ``order_no``)
P_HEADER_REC.CUST_PO_NUMBER     ``order_no``
P_HEADER_REC.ORG_ID / ORDER_TYPE_ID / ORDER_SOURCE_ID / PRICE_LIST_ID   config
P_HEADER_REC.ORDERED_DATE       ``order_date``; REQUEST_DATE ``requested_delivery_date``
P_HEADER_REC.TRANSACTIONAL_CURR_CODE  ``currency``
P_HEADER_VAL_REC.CUSTOMER_NUMBER  ``dealer_code`` (EBS converts it to SOLD_TO_ORG_ID)
P_LINE_TBL_ITEM.LINE_NUMBER / ORIG_SYS_LINE_REF  ``line_no``
P_LINE_TBL_ITEM.ORDERED_ITEM    ``sku`` (ITEM_IDENTIFIER_TYPE ``INT``: the item number)
P_LINE_TBL_ITEM.ORDERED_QUANTITY / ORDER_QUANTITY_UOM  ``qty`` / ``unit`` via ``uom_codes``
P_LINE_TBL_ITEM.UNIT_SELLING_PRICE  ``net_price`` with CALCULATE_PRICE_FLAG ``N`` (our price holds)
==============================  ====================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from connectors.oracle_ebs.spec import OracleEbsConfig
from connectors.oracle_fusion.payload import OrderDocument

__all__ = ["process_order_arguments"]


def process_order_arguments(
    order: OrderDocument, *, reference: str, config: OracleEbsConfig
) -> dict[str, Any]:
    """The ``InputParameters`` of ``PROCESS_ORDER`` creating ``order`` under ``reference``."""
    zone = ZoneInfo(config.server_timezone)
    header: dict[str, Any] = {
        "OPERATION": "CREATE",
        "ORG_ID": config.org_id,
        "ORDER_TYPE_ID": config.order_type_id,
        "ORDER_SOURCE_ID": config.order_source_id,
        "ORIG_SYS_DOCUMENT_REF": reference,
        "CUST_PO_NUMBER": order.order_no,
        "PRICE_LIST_ID": config.price_list_id,
        "ORDERED_DATE": _at_midnight(order.order_date, zone),
        "REQUEST_DATE": _at_midnight(order.requested_delivery_date, zone),
        "TRANSACTIONAL_CURR_CODE": order.currency,
    }
    lines = []
    for line in order.lines:
        row: dict[str, Any] = {
            "OPERATION": "CREATE",
            "LINE_NUMBER": line.line_no,
            "ORIG_SYS_LINE_REF": str(line.line_no),
            "ORDERED_ITEM": line.sku,
            "ITEM_IDENTIFIER_TYPE": "INT",
            "ORDERED_QUANTITY": line.qty,
            "ORDER_QUANTITY_UOM": config.uom_codes.get(line.unit, line.unit),
        }
        if line.net_price is not None:
            row.update(
                UNIT_SELLING_PRICE=line.net_price, UNIT_LIST_PRICE=line.net_price, CALCULATE_PRICE_FLAG="N"
            )
        lines.append(_present(row))
    return {
        "P_API_VERSION_NUMBER": 1,
        "P_INIT_MSG_LIST": "T",
        "P_RETURN_VALUES": "T",
        "P_ACTION_COMMIT": "T",
        "P_HEADER_REC": _present(header),
        "P_HEADER_VAL_REC": {"CUSTOMER_NUMBER": order.dealer_code},
        "P_LINE_TBL": {"P_LINE_TBL_ITEM": lines},
    }


def _at_midnight(day: date | None, zone: ZoneInfo) -> datetime | None:
    return None if day is None else datetime.combine(day, time(0, 0), tzinfo=zone)


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    # Omitted fields keep EBS's G_MISS defaults; an explicit nil would null them out.
    return {key: value for key, value in values.items() if value is not None}
