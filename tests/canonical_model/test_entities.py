"""Edge validation: bad identifiers and inconsistent entities are refused with the field named."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from canonical_model.entities import Authorization, Dealer, Product, ShipmentEvent, StockLevel
from canonical_model.identifiers import gtin_check_digit

GTIN_BODY = "690123456789"


def test_a_product_gtin_is_normalised_to_gtin14() -> None:
    gtin13 = GTIN_BODY + gtin_check_digit(GTIN_BODY)
    assert Product(sku="SKU-1", name="Milk", gtin=gtin13).gtin == "0" + gtin13


def test_a_gtin_with_a_wrong_check_digit_names_the_field() -> None:
    right = gtin_check_digit(GTIN_BODY)
    wrong = str((int(right) + 1) % 10)
    with pytest.raises(ValidationError) as info:
        Product(sku="SKU-1", name="Milk", gtin=GTIN_BODY + wrong)
    assert info.value.errors()[0]["loc"] == ("gtin",)
    assert "check digit" in str(info.value)


def test_a_dealer_needs_a_parent_unless_it_is_the_brand() -> None:
    with pytest.raises(ValidationError, match="needs a parent_code"):
        Dealer(code="L1-001", name="x", level=2)
    with pytest.raises(ValidationError, match="has no parent"):
        Dealer(code="BRAND", name="x", level=0, parent_code="Y")


def test_unknown_region_and_bad_uscc_are_refused() -> None:
    with pytest.raises(ValidationError, match="region_code"):
        Dealer(code="T1", name="x", level=4, parent_code="L1", region_code="999999")
    with pytest.raises(ValidationError, match="uscc"):
        Dealer(code="T1", name="x", level=4, parent_code="L1", uscc="91110000600037341X")


def test_stock_cannot_be_negative_and_available_is_on_hand_less_reserved() -> None:
    with pytest.raises(ValidationError, match="on_hand"):
        StockLevel(location_code="WH-SH", sku="S", on_hand=Decimal("-1"))
    assert StockLevel(location_code="WH-SH", sku="S", on_hand=Decimal(10), reserved=Decimal(3)).available == 7


def test_authorization_window_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValidationError, match="valid_until is before valid_from"):
        Authorization(
            dealer_code="D",
            scope_type="product_line",
            scope_code="PL",
            region_code="440100",
            valid_from=date(2026, 1, 1),
            valid_until=date(2025, 1, 1),
        )


def test_shipment_events_need_aware_times_and_known_codes() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        ShipmentEvent(
            shipment_no="S", event_time=datetime(2026, 1, 1), status="delivered", carrier_status_code="3"
        )
    with pytest.raises(ValidationError, match="status"):
        ShipmentEvent(
            shipment_no="S",
            event_time=datetime(2026, 1, 1, tzinfo=UTC),
            status="lost",
            carrier_status_code="3",
        )
