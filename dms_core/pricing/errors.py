"""Errors the pricing engine raises.

::

    ValidationError (canonical_model.errors)
    └── PricingError              a quote cannot be produced
        ├── InvalidPricingData    the catalog's rows contradict themselves (bad action, bad region, ...)
        ├── UnknownProduct        a requested SKU is not in the catalog
        ├── NoApplicablePrice     no price list prices this SKU for this dealer on this date
        └── CatalogDateMismatch   the catalog was loaded for another day than the order date
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from canonical_model.errors import ValidationError

if TYPE_CHECKING:
    from dms_core.pricing.explain import Entry

__all__ = [
    "CatalogDateMismatch",
    "InvalidPricingData",
    "NoApplicablePrice",
    "PricingError",
    "UnknownProduct",
]


class PricingError(ValidationError):
    """A quote cannot be produced for this request."""


class InvalidPricingData(PricingError):
    """Catalog rows that cannot be priced with; ``problems`` lists each as ``"rule R1: ..."``."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(self.problems[:3]) + ("; ..." if len(self.problems) > 3 else "")
        super().__init__(f"{len(self.problems)} invalid pricing row(s): {shown}")


class UnknownProduct(PricingError):
    """The SKU is not in the pricing catalog (unknown, or not loaded)."""

    def __init__(self, sku: str) -> None:
        self.sku = sku
        super().__init__(f"unknown product {sku!r}: not in the pricing catalog")


class NoApplicablePrice(PricingError):
    """No price list has an item for this SKU that applies; ``explanation`` says why per list."""

    def __init__(self, sku: str, explanation: Sequence[Entry]) -> None:
        self.sku = sku
        self.explanation = tuple(explanation)
        why = ", ".join(f"{e.code}: {e.reason.value}" for e in self.explanation) or "no price list has it"
        super().__init__(f"no applicable price for {sku!r} ({why})")


class CatalogDateMismatch(PricingError):
    """The catalog holds only rows valid on one day; the order is dated another day."""

    def __init__(self, loaded_for: date, order_date: date) -> None:
        self.loaded_for = loaded_for
        self.order_date = order_date
        loaded, ordered = loaded_for.isoformat(), order_date.isoformat()
        super().__init__(f"catalog loaded for {loaded} cannot price an order dated {ordered}")
