"""``GET /stock/availability``: what can be promised, per warehouse, for a SKU."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel

from canonical_model.regions import prefix_of
from canonical_model.tables import locations, stock_levels
from dms_core.api.deps import Caller, Conn

router = APIRouter(prefix="/stock", tags=["stock"])


class Availability(BaseModel):
    location_code: str
    region_code: str | None
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    in_transit: Decimal


class AvailabilityOut(BaseModel):
    sku: str
    total_available: Decimal
    locations: list[Availability]


@router.get("/availability", response_model=AvailabilityOut, summary="Available to promise per warehouse")
def availability(
    conn: Conn,
    caller: Caller,
    sku: Annotated[str, Query(min_length=1, max_length=40)],
    region: Annotated[str | None, Query(pattern=r"^\d{2,6}$", description="GB/T 2260 prefix")] = None,
) -> AvailabilityOut:
    """Brand warehouses for everyone; dealer warehouses only within the caller's network."""
    query = (
        sa.select(
            stock_levels.c.location_code,
            locations.c.region_code,
            sa.func.sum(stock_levels.c.on_hand).label("on_hand"),
            sa.func.sum(stock_levels.c.reserved).label("reserved"),
            sa.func.sum(stock_levels.c.in_transit).label("in_transit"),
        )
        .join(locations, locations.c.code == stock_levels.c.location_code)
        .where(stock_levels.c.sku == sku, stock_levels.c.deleted_at.is_(None))
        .group_by(stock_levels.c.location_code, locations.c.region_code)
        .order_by(stock_levels.c.location_code)
    )
    visible = caller.visible_dealers()
    if visible is not None:
        query = query.where(
            sa.or_(locations.c.kind == "brand_warehouse", locations.c.owner_dealer_code.in_(visible))
        )
    if region:
        query = query.where(
            locations.c.region_code.startswith(prefix_of(region) if len(region) == 6 else region)
        )
    rows = []
    for r in conn.execute(query):
        on_hand, reserved, in_transit = (Decimal(v or 0) for v in (r.on_hand, r.reserved, r.in_transit))
        rows.append(
            Availability(
                location_code=r.location_code,
                region_code=r.region_code,
                on_hand=on_hand,
                reserved=reserved,
                available=on_hand - reserved,
                in_transit=in_transit,
            )
        )
    return AvailabilityOut(
        sku=sku, total_available=sum((a.available for a in rows), Decimal(0)), locations=rows
    )
