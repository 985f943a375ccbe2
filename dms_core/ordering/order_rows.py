"""The rows ``place_order`` writes: the order header and its lines, built from the pipeline's results."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from canonical_model.tables import utcnow
from dms_core.ordering.credit import Exposure
from dms_core.ordering.errors import ReasonCode
from dms_core.ordering.facts import Dealer
from dms_core.ordering.model import CheckResult, OrderRequest
from dms_core.ordering.ports import ReferenceData
from dms_core.ordering.settings import OrderingSettings
from dms_core.ordering.validation import ResolvedLine
from dms_core.pricing import Quote

__all__ = ["header_row", "line_rows"]


def header_row(
    order_no: str,
    request: OrderRequest,
    dealer: Dealer,
    reference: ReferenceData,
    region: str | None,
    priced: Quote | None,
    checks: Sequence[CheckResult],
    exposure: Exposure | None,
    status: str,
    settings: OrderingSettings,
) -> dict[str, Any]:
    auto = status == "allocated"
    location = request.ship_to_location_code
    hold = next((c.message for c in checks if c.reason_code is ReasonCode.CREDIT_LIMIT_EXCEEDED), None)
    amount = priced.total_net if priced is not None else Decimal(0)
    validation: dict[str, Any] = {"checks": [c.as_dict() for c in checks], "request": request.as_dict()}
    if exposure is not None:
        validation["credit"] = exposure.as_dict(dealer.credit_limit, amount)
    return {
        "order_no": order_no,
        "dealer_code": dealer.code,
        "ship_to_location_code": location if location in reference.locations else None,
        "ship_to_region_code": region,
        "idempotency_key": request.idempotency_key,
        "status": status,
        "origin": request.origin,
        "order_date": request.order_date,
        "requested_delivery_date": request.requested_delivery_date,
        "currency": priced.currency if priced is not None else dealer.currency,
        "total_list": priced.total_list if priced is not None else Decimal(0),
        "total_discount": priced.total_discount if priced is not None else Decimal(0),
        "total_net": amount,
        "pricing_explanation": priced.as_dict() if priced is not None else None,
        "validation": validation,
        "approval": "auto" if auto else None,
        "approved_by": settings.system_actor if auto else None,
        "approved_at": utcnow() if auto else None,
        "hold_reason": hold[:300] if status == "on_hold" and hold else None,
        "created_by": request.created_by,
    }


def line_rows(
    order_no: str, lines: Sequence[ResolvedLine], priced: Quote | None, reference: ReferenceData
) -> list[dict[str, Any]]:
    requested = {line.line_no: line for line in lines}
    if priced is None:
        return [
            {
                "order_no": order_no,
                "line_no": n,
                "sku": r.sku,
                "qty": r.qty,
                "unit": r.unit,
                "qty_base": r.qty_base,
            }
            for n, r in requested.items()
        ]
    rows: list[dict[str, Any]] = []
    for q in priced.lines:
        asked = requested.get(q.line_no)
        rows.append(
            {
                "order_no": order_no,
                "line_no": q.line_no,
                "sku": q.sku,
                "qty": asked.qty if asked is not None else q.qty,
                "unit": asked.unit if asked is not None else reference.products[q.sku].base_unit,
                "qty_base": q.qty,
                "list_price": q.list_price,
                "discount_amount": q.rule_discount,
                "promotion_amount": q.promotion_discount,
                "net_price": q.net_unit_price,
                "net_amount": q.net_amount,
                "is_free_goods": q.is_free_goods,
                "applied_rules": [d.as_dict() for d in q.discounts],
            }
        )
    return rows
