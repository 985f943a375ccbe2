"""Money and quantities: ``Decimal`` amounts with an ISO 4217 currency or a unit, never floats."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

import pycountry

from canonical_model.errors import ValidationError

__all__ = ["Money", "Quantity", "to_decimal", "validate_currency"]


def to_decimal(value: object, *, what: str = "value") -> Decimal:
    """Exact ``Decimal`` from a Decimal, int or string; floats go through ``str`` to drop binary noise."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValidationError(f"{what} must be a number, got a boolean")
    elif isinstance(value, int | float | str):
        try:
            result = Decimal(str(value).strip().replace(",", "") if isinstance(value, str) else str(value))
        except InvalidOperation:
            raise ValidationError(f"{what} must be a number, got {value!r}") from None
    else:
        raise ValidationError(f"{what} must be a number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValidationError(f"{what} must be finite, got {value!r}")
    return result


@cache
def _minor_units(currency: str) -> int:
    # pycountry has no minor-unit data; the few currencies without cents are listed here.
    return {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3}.get(
        currency, 2
    )


def validate_currency(code: str) -> str:
    """An ISO 4217 alphabetic code, upper-cased; ``ValidationError`` for an unknown one."""
    normalized = code.strip().upper()
    if pycountry.currencies.get(alpha_3=normalized) is None:
        raise ValidationError(f"unknown currency {code!r}: expected an ISO 4217 code such as CNY")
    return normalized


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: str = "CNY"

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount, what="amount"))
        object.__setattr__(self, "currency", validate_currency(self.currency))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValidationError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * to_decimal(factor, what="factor"), self.currency)

    def rounded(self) -> Money:
        """Rounded half-up to the currency's minor unit (fen for CNY)."""
        exponent = Decimal(1).scaleb(-_minor_units(self.currency))
        return Money(self.amount.quantize(exponent, rounding=ROUND_HALF_UP), self.currency)

    def __str__(self) -> str:
        return f"{self.rounded().amount} {self.currency}"


@dataclass(frozen=True, slots=True)
class Quantity:
    """A quantity in a unit (EA, CS, ...). Convert with the product's unit factors."""

    value: Decimal
    unit: str = "EA"

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", to_decimal(self.value, what="quantity"))
        object.__setattr__(self, "unit", self.unit.strip().upper())

    def to_base(self, factors: Mapping[str, Decimal], base_unit: str = "EA") -> Quantity:
        """In ``base_unit``, using ``factors`` (base units in one of each unit)."""
        if self.unit == base_unit:
            return self
        try:
            factor = factors[self.unit]
        except KeyError:
            known = ", ".join(sorted(factors)) or "none"
            raise ValidationError(
                f"no conversion from {self.unit} to {base_unit} (known units: {known})"
            ) from None
        return Quantity(self.value * to_decimal(factor, what="factor"), base_unit)

    def __str__(self) -> str:
        return f"{self.value.normalize():f} {self.unit}"
