"""Ports of the ordering service: what it needs from outside, as small Protocols.

The service depends on these shapes, not on the classes that fill them:
:class:`~dms_core.ordering.reference.CachedReference` and
:class:`RandomOrderNumbers` are the defaults; tests pass hand-written fakes.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

import sqlalchemy as sa

from dms_core.pricing import PricingCatalog

__all__ = [
    "LocationInfo",
    "OrderNumbers",
    "ProductInfo",
    "RandomOrderNumbers",
    "ReferenceData",
    "ReferenceSource",
]


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """What ordering needs of a product: line, base unit, ordering multiples, status."""

    sku: str
    product_line_code: str | None
    base_unit: str
    case_pack: int
    order_multiple: int
    min_order_qty: Decimal
    status: str


@dataclass(frozen=True, slots=True)
class LocationInfo:
    """A stock location: who owns it, where it is, its allocation priority (smaller first)."""

    code: str
    kind: str
    owner_dealer_code: str | None
    region_code: str | None
    priority: int


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """Slow-changing rows every order needs: products, unit factors, locations.

    ``conversions`` maps ``(sku, UNIT)`` to the number of base units in one ``UNIT``.
    """

    products: Mapping[str, ProductInfo]
    conversions: Mapping[tuple[str, str], Decimal]
    locations: Mapping[str, LocationInfo]


class ReferenceSource(Protocol):
    """Hands out the pricing catalog for a day and the reference data, cached as it sees fit."""

    def catalog(self, conn: sa.Connection, day: date) -> PricingCatalog:
        """The pricing catalog valid on ``day`` (raises the pricing engine's errors)."""
        ...

    def reference(self, conn: sa.Connection) -> ReferenceData:
        """Products, unit conversions and locations."""
        ...


class OrderNumbers(Protocol):
    """Makes new order numbers (``orders.order_no``, at most 40 characters, unique)."""

    def next(self, order_date: date) -> str:
        """A fresh order number for an order dated ``order_date``."""
        ...


class RandomOrderNumbers:
    """``SO20261101-9F2C4A1B7E``: the order date and 40 random bits, no shared counter to lock."""

    def next(self, order_date: date) -> str:
        """A fresh order number; collisions are as likely as guessing 40 random bits."""
        return f"SO{order_date:%Y%m%d}-{secrets.token_hex(5).upper()}"
