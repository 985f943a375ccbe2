"""``POST /prices/quote``: the net price of an order's lines, with the explanation of every rule."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from canonical_model.tables import dealers, products, unit_conversions
from dms_core.api.deps import Caller, Conn, require_dealer_access
from dms_core.api.errors import ApiError
from dms_core.pricing import PricingCatalog, PricingContext, QuoteRequest, load_catalog, quote

router = APIRouter(prefix="/prices", tags=["pricing"])


class QuoteLineIn(BaseModel):
    sku: str = Field(min_length=1, max_length=40)
    qty: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=4)]
    unit: str | None = Field(default=None, max_length=8, description="Default: the product's base unit")


class QuoteIn(BaseModel):
    dealer_code: str = Field(min_length=1, max_length=32)
    ship_to_region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    order_date: date | None = None
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=500)


class CatalogCache:
    """The pricing catalog per day, reloaded after ``ttl`` seconds (rules change rarely)."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._cached: dict[date, tuple[float, PricingCatalog]] = {}

    def get(self, conn: sa.Connection, day: date) -> PricingCatalog:
        with self._lock:
            hit = self._cached.get(day)
            if hit is not None and time.monotonic() - hit[0] < self.ttl:
                return hit[1]
        catalog = load_catalog(conn, on=day)
        with self._lock:
            self._cached[day] = (time.monotonic(), catalog)
        return catalog


def to_base_units(conn: sa.Connection, lines: list[QuoteLineIn]) -> list[tuple[str, Decimal]]:
    """(sku, qty in base units) per line; a unit the product does not have is a 422."""
    skus = sorted({line.sku for line in lines})
    base: dict[str, str] = {
        r.sku: r.base_unit
        for r in conn.execute(sa.select(products.c.sku, products.c.base_unit).where(products.c.sku.in_(skus)))
    }
    factors = {
        (r.sku, r.unit): Decimal(r.factor)
        for r in conn.execute(sa.select(unit_conversions).where(unit_conversions.c.sku.in_(skus)))
    }
    result = []
    for line in lines:
        if line.sku not in base:
            raise ApiError(422, "unknown_product", f"unknown product {line.sku}")
        unit = (line.unit or base[line.sku]).upper()
        if unit == base[line.sku]:
            result.append((line.sku, line.qty))
        elif (line.sku, unit) in factors:
            result.append((line.sku, line.qty * factors[(line.sku, unit)]))
        else:
            raise ApiError(422, "unknown_unit", f"{line.sku} has no unit {unit}")
    return result


@router.post("/quote", summary="Price lines for a dealer, explaining every rule considered")
def quote_prices(body: QuoteIn, conn: Conn, caller: Caller, request: Request) -> dict[str, Any]:
    require_dealer_access(conn, caller, body.dealer_code)
    dealer = conn.execute(
        sa.select(dealers.c.level, dealers.c.region_code, dealers.c.currency).where(
            dealers.c.code == body.dealer_code
        )
    ).first()
    if dealer is None:
        raise ApiError(404, "not_found", f"dealer {body.dealer_code} not found")
    day = body.order_date or date.today()
    catalog = request.app.state.catalogs.get(conn, day)
    context = PricingContext(
        body.dealer_code, dealer.level, body.ship_to_region_code or dealer.region_code, day, dealer.currency
    )
    result: dict[str, Any] = quote(catalog, context, QuoteRequest(to_base_units(conn, body.lines))).as_dict()
    return result
