"""Pydantic models of the canonical entities, for validation at the edges.

Connectors, the HTTP API, file imports and the demo validate incoming data through these
models; the tables in :mod:`canonical_model.tables` are how the same entities are stored.
Field names equal column names, so ``model.model_dump()`` is a row.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from canonical_model.errors import InvalidIdentifier
from canonical_model.identifiers import GLN, GTIN14, USCC
from canonical_model.money import validate_currency
from canonical_model.regions import validate_region_code

__all__ = [
    "Authorization",
    "Currency",
    "Dealer",
    "Location",
    "Product",
    "Qualification",
    "RegionCode",
    "ShipmentEvent",
    "StockLevel",
]


def _region(value: str) -> str:
    try:
        return validate_region_code(value)
    except InvalidIdentifier as exc:
        raise ValueError(str(exc)) from exc


RegionCode = Annotated[str, AfterValidator(_region)]
Currency = Annotated[str, AfterValidator(validate_currency)]
Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")]
NonNegative = Annotated[Decimal, Field(ge=0)]


class _Entity(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Dealer(_Entity):
    """A party in the network: level 0 brand, 1 national, 2 level-1, 3 level-2, 4 terminal."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    level: int = Field(ge=0, le=4)
    parent_code: Code | None = None
    status: Literal["active", "suspended", "frozen"] = "active"
    grade: Literal["A", "B", "C"] | None = None
    uscc: USCC | None = None
    gln: GLN | None = None
    region_code: RegionCode | None = None
    credit_limit: NonNegative = Decimal(0)
    currency: Currency = "CNY"
    payment_terms_days: int = Field(default=0, ge=0, le=365)
    contract_required: bool = False

    @model_validator(mode="after")
    def _root_has_no_parent(self) -> Dealer:
        if self.level == 0 and self.parent_code is not None:
            raise ValueError("the brand (level 0) has no parent")
        if self.level > 0 and self.parent_code is None:
            raise ValueError(f"a level-{self.level} dealer needs a parent_code")
        return self


class Qualification(_Entity):
    """A licence or permit a dealer must hold, with its validity."""

    dealer_code: Code
    kind: str = Field(min_length=1, max_length=32)
    number: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None

    def valid_on(self, day: date) -> bool:
        """True if the qualification covers ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class Authorization(_Entity):
    """A dealer may sell a product line (or product) in a territory during a window."""

    dealer_code: Code
    scope_type: Literal["product_line", "product"]
    scope_code: str = Field(min_length=1, max_length=64)
    region_code: RegionCode
    valid_from: date
    valid_until: date | None = None

    @model_validator(mode="after")
    def _window(self) -> Authorization:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class Location(_Entity):
    """A warehouse (the brand's or a dealer's) or a store."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["brand_warehouse", "dealer_warehouse", "store"]
    owner_dealer_code: Code | None = None
    region_code: RegionCode | None = None
    gln: GLN | None = None
    priority: int = 100


class Product(_Entity):
    """A sellable item: SKU, GTIN-14, units, case pack, shelf life and guide price."""

    sku: str = Field(min_length=1, max_length=40)
    gtin: GTIN14 | None = None
    name: str = Field(min_length=1, max_length=200)
    brand: str | None = None
    product_line_code: Code | None = None
    base_unit: str = Field(default="EA", min_length=1, max_length=8)
    case_pack: int = Field(default=1, ge=1)
    order_multiple: int = Field(default=1, ge=1)
    min_order_qty: NonNegative = Decimal(0)
    shelf_life_days: int | None = Field(default=None, ge=0)
    guide_price: NonNegative | None = None
    price_floor: NonNegative | None = None
    currency: Currency = "CNY"
    status: Literal["active", "discontinued"] = "active"

    @model_validator(mode="after")
    def _floor_below_guide(self) -> Product:
        if (
            self.guide_price is not None
            and self.price_floor is not None
            and self.price_floor > self.guide_price
        ):
            raise ValueError("price_floor is above guide_price")
        return self


class StockLevel(_Entity):
    """Stock of one product (and lot) at one location."""

    location_code: Code
    sku: str = Field(min_length=1, max_length=40)
    lot: str = Field(default="", max_length=40)
    on_hand: NonNegative
    reserved: NonNegative = Decimal(0)
    in_transit: NonNegative = Decimal(0)
    expiry_date: date | None = None
    as_of: datetime | None = None

    @property
    def available(self) -> Decimal:
        """On hand less reserved: what can still be promised."""
        return self.on_hand - self.reserved


class ShipmentEvent(_Entity):
    """A carrier's status event, normalised, with the carrier's own code kept."""

    shipment_no: str = Field(min_length=1, max_length=40)
    event_time: datetime
    status: Literal[
        "created",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "delivered",
        "exception",
        "returned",
        "cancelled",
    ]
    carrier_status_code: str = Field(min_length=1, max_length=16)
    description: str | None = None
    location: str | None = None

    @model_validator(mode="after")
    def _aware(self) -> ShipmentEvent:
        if self.event_time.tzinfo is None:
            raise ValueError("event_time needs a timezone")
        return self
