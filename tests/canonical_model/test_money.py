"""Money and quantities stay exact Decimals and refuse to mix currencies or unknown units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical_model.errors import ValidationError
from canonical_model.money import Money, Quantity, to_decimal, validate_currency


def test_floats_are_read_through_their_shortest_repr_not_binary_expansion() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal("1,234.50") == Decimal("1234.50")


@pytest.mark.parametrize("bad", ["abc", "", "1.2.3", float("nan"), True, None])
def test_non_numbers_are_refused_with_a_message(bad: object) -> None:
    with pytest.raises(ValidationError, match="must be"):
        to_decimal(bad, what="on_hand")


def test_money_refuses_to_add_different_currencies() -> None:
    with pytest.raises(ValidationError, match="cannot combine CNY with USD"):
        _ = Money(Decimal("1"), "CNY") + Money(Decimal("1"), "USD")


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown currency 'RMB'"):
        validate_currency("RMB")


def test_rounding_is_half_up_to_the_minor_unit() -> None:
    assert Money(Decimal("2.345"), "cny").rounded() == Money(Decimal("2.35"), "CNY")
    assert Money(Decimal("2.5"), "JPY").rounded().amount == Decimal("3")


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False),
)
def test_money_addition_is_exact(a: Decimal, b: Decimal) -> None:
    assert (Money(a) + Money(b)).amount == a + b
    assert (Money(a) + Money(b) - Money(b)).amount == a


def test_cases_convert_to_base_units_and_unknown_units_name_the_known_ones() -> None:
    assert Quantity(Decimal("3"), "cs").to_base({"CS": Decimal("12")}) == Quantity(Decimal("36"), "EA")
    with pytest.raises(ValidationError, match=r"no conversion from PK to EA \(known units: CS\)"):
        Quantity(Decimal("1"), "PK").to_base({"CS": Decimal("12")})
