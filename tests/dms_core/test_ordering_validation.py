"""The validation pipeline: one test per rejection reason, each asserting its code (both backends)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from canonical_model.errors import ValidationError
from canonical_model.tables import (
    authorizations,
    contracts,
    dealer_qualifications,
    dealers,
    products,
    stock_levels,
)
from dms_core.ordering import (
    CreditLimitExceeded,
    NotAuthorizedInTerritory,
    OrderOutcome,
    PricingFailed,
    ReasonCode,
    ReferenceData,
    load_reference,
    place_order,
)
from dms_core.pricing import InvalidPricingData, PricingCatalog
from tests.dms_core.ordering_support import (
    DAY,
    assert_consistent,
    count_orders,
    lines_of,
    order_row,
    request,
    seed_world,
    settings,
    update,
)

R = ReasonCode


@pytest.fixture
def world(engine: Engine) -> Engine:
    seed_world(engine)
    return engine


def place(engine: Engine, **overrides: object) -> OrderOutcome:
    outcome = place_order(engine, request(**overrides), settings=settings())
    assert_consistent(engine)
    return outcome


def rejected_with(outcome: OrderOutcome, code: ReasonCode) -> None:
    assert outcome.status == "rejected"
    assert code in outcome.reasons


def test_a_valid_order_passes_every_step_and_is_auto_approved(world: Engine) -> None:
    outcome = place(world)
    assert outcome.ok and outcome.reasons == ()
    assert outcome.status == "allocated"
    steps = [c.step for c in outcome.validation]
    expected = ["dealer", "ship_to", "qualifications", "contract", "lines", "authorization", "pricing"]
    assert steps == [*expected, "promotions", "stock", "credit", "approval"]


def test_unknown_dealer_is_rejected_without_storing_and_skips_the_rest(world: Engine) -> None:
    outcome = place(world, dealer_code="NOBODY")
    assert outcome.order_no is None and outcome.status == "rejected"
    assert outcome.reasons == (R.DEALER_NOT_FOUND,)
    assert all(c.skipped for c in outcome.validation[1:])
    assert count_orders(world) == 0


@pytest.mark.parametrize("status", ["frozen", "suspended"])
def test_frozen_or_suspended_dealer_is_rejected_as_inactive(world: Engine, status: str) -> None:
    update(world, dealers, {"code": "DA"}, status=status)
    outcome = place(world)
    rejected_with(outcome, R.DEALER_INACTIVE)
    assert outcome.order_no is not None
    assert order_row(world, outcome.order_no).status == "rejected"


def test_expired_qualification_is_rejected(world: Engine) -> None:
    update(
        world,
        dealer_qualifications,
        {"dealer_code": "DA", "kind": "food_permit"},
        valid_until=date(2026, 10, 31),
    )
    rejected_with(place(world), R.QUALIFICATION_EXPIRED)


def test_missing_required_qualification_is_rejected(world: Engine) -> None:
    outcome = place_order(
        world, request(), settings=settings(required_qualifications=("business_license", "gsp"))
    )
    rejected_with(outcome, R.QUALIFICATION_MISSING)


def test_qualification_not_yet_valid_is_rejected(world: Engine) -> None:
    update(
        world,
        dealer_qualifications,
        {"dealer_code": "DA", "kind": "food_permit"},
        valid_from=date(2026, 12, 1),
    )
    rejected_with(place(world), R.QUALIFICATION_NOT_YET_VALID)


def test_contract_awaiting_signature_counts_as_missing(world: Engine) -> None:
    update(world, contracts, {"contract_no": "HT-DA"}, status="sent")
    rejected_with(place(world), R.CONTRACT_MISSING)


def test_expired_contract_is_rejected(world: Engine) -> None:
    update(world, contracts, {"contract_no": "HT-DA"}, valid_until=date(2026, 10, 31))
    rejected_with(place(world), R.CONTRACT_EXPIRED)


def test_dealer_without_contract_requirement_needs_no_contract(world: Engine) -> None:
    outcome = place(world, dealer_code="DB", ship_to_region_code="330102")
    assert outcome.ok


@pytest.mark.parametrize(
    "ship_to",
    [
        {"ship_to_region_code": "999999"},
        {"ship_to_region_code": "33"},
        {"ship_to_region_code": None, "ship_to_location_code": "NOWHERE"},
        {"ship_to_region_code": None},
        {"ship_to_location_code": "LOC-DA"},
    ],
    ids=["unknown-region", "malformed-region", "unknown-location", "none", "both"],
)
def test_bad_ship_to_is_rejected(world: Engine, ship_to: dict[str, str | None]) -> None:
    outcome = place(world, **ship_to)
    rejected_with(outcome, R.INVALID_SHIP_TO)
    assert {c.step for c in outcome.validation if c.skipped} >= {"authorization", "pricing", "credit"}


def test_ship_to_location_of_another_dealer_is_rejected(world: Engine) -> None:
    rejected_with(place(world, ship_to_region_code=None, ship_to_location_code="LOC-DB"), R.SHIP_TO_NOT_OWNED)


def test_ship_to_location_of_a_dealer_below_is_accepted(world: Engine) -> None:
    outcome = place(world, ship_to_region_code=None, ship_to_location_code="LOC-DC")
    assert outcome.ok
    assert order_row(world, outcome.order_no or "").ship_to_region_code == "330102"


def test_empty_order_is_rejected(world: Engine) -> None:
    rejected_with(place(world, lines=[]), R.EMPTY_ORDER)


def test_unknown_product_is_rejected_and_the_other_lines_are_kept(world: Engine) -> None:
    outcome = place(world, lines=[("MILK", 24), ("NOPE", 1)])
    rejected_with(outcome, R.UNKNOWN_PRODUCT)
    assert [c.line_no for c in outcome.failures] == [2]
    stored = order_row(world, outcome.order_no or "")
    assert [line["sku"] for line in stored.validation["request"]["lines"]] == ["MILK", "NOPE"]
    assert [line.sku for line in lines_of(world, outcome.order_no or "")] == ["MILK"]


def test_discontinued_product_is_rejected(world: Engine) -> None:
    rejected_with(place(world, lines=[("OLD", 24)]), R.PRODUCT_DISCONTINUED)


def test_unit_without_conversion_is_rejected(world: Engine) -> None:
    rejected_with(place(world, lines=[("MILK", 1, "PALLET")]), R.UNKNOWN_UNIT)


@pytest.mark.parametrize(
    "qty", [0, -24, "lots", Decimal("1.5")], ids=["zero", "negative", "text", "half-unit"]
)
def test_bad_quantity_is_rejected(world: Engine, qty: object) -> None:
    rejected_with(place(world, lines=[("FORMULA", qty)]), R.INVALID_QUANTITY)


def test_quantity_off_the_case_pack_is_rejected(world: Engine) -> None:
    outcome = place(world, lines=[("MILK", 30)])
    rejected_with(outcome, R.CASE_PACK_VIOLATION)


def test_quantity_below_the_minimum_is_rejected(world: Engine) -> None:
    update(world, products, {"sku": "FORMULA"}, min_order_qty=Decimal(6))
    rejected_with(place(world, lines=[("FORMULA", 3)]), R.BELOW_MINIMUM_QTY)


def test_units_convert_to_base_units_before_case_pack_checks(world: Engine) -> None:
    outcome = place(world, lines=[("MILK", "3", "cs")])
    assert outcome.ok
    assert lines_of(world, outcome.order_no or "")[0].qty_base == 72


def test_product_line_not_authorised_is_rejected(world: Engine) -> None:
    outcome = place(world, lines=[("MILK", 24), ("BUTTER", 1)])
    rejected_with(outcome, R.NOT_AUTHORIZED_IN_TERRITORY)
    assert [c.line_no for c in outcome.failures] == [2]


def test_ship_to_outside_the_territory_is_rejected(world: Engine) -> None:
    rejected_with(place(world, ship_to_region_code="440106"), R.NOT_AUTHORIZED_IN_TERRITORY)


def test_authorization_outside_its_validity_window_does_not_count(world: Engine) -> None:
    update(world, authorizations, {"dealer_code": "DA"}, valid_until=date(2026, 10, 31))
    rejected_with(place(world), R.NOT_AUTHORIZED_IN_TERRITORY)


def test_a_product_authorisation_covers_a_single_sku(world: Engine) -> None:
    with world.begin() as conn:
        conn.execute(
            authorizations.insert(),
            [
                {
                    "dealer_code": "DA",
                    "scope_type": "product",
                    "scope_code": "BUTTER",
                    "region_code": "330100",
                    "valid_from": DAY,
                }
            ],
        )
    assert place(world, lines=[("BUTTER", 1)]).ok


def test_product_without_a_price_is_rejected(world: Engine) -> None:
    rejected_with(place(world, lines=[("NOPRICE", 1)]), R.NO_APPLICABLE_PRICE)


class BrokenCatalog:
    """A reference source whose catalog cannot be built (bad pricing rows in the ERP)."""

    def __init__(self, reference: ReferenceData) -> None:
        self._reference = reference

    def catalog(self, conn: object, day: date) -> PricingCatalog:
        raise InvalidPricingData(["rule R1: percent above 100"])

    def reference(self, conn: object) -> ReferenceData:
        return self._reference


def test_pricing_engine_failure_becomes_a_typed_reason(world: Engine) -> None:
    with world.connect() as conn:
        broken = BrokenCatalog(load_reference(conn))
    outcome = place_order(world, request(), settings=settings(reference=broken))
    rejected_with(outcome, R.PRICING_FAILED)
    with pytest.raises(PricingFailed, match="percent above 100"):
        outcome.raise_for_status()


def test_not_enough_stock_across_warehouses_is_rejected(world: Engine) -> None:
    outcome = place(world, lines=[("FORMULA", 49)])  # 6 + 12 + 30 in date; the expired lot does not count
    rejected_with(outcome, R.INSUFFICIENT_STOCK)
    assert outcome.failures[0].message.endswith("needs 49, 48 available")


def test_stock_reserved_by_others_is_not_available(world: Engine) -> None:
    update(world, stock_levels, {"sku": "MILK", "location_code": "WH-SH"}, reserved=Decimal(480))
    update(world, stock_levels, {"sku": "MILK", "location_code": "WH-HZ"}, reserved=Decimal(240))
    outcome = place_order(world, request(lines=[("MILK", 24)]), settings=settings())
    rejected_with(outcome, R.INSUFFICIENT_STOCK)


def test_exceeding_the_credit_limit_puts_the_order_on_hold(world: Engine) -> None:
    update(world, dealers, {"code": "DA"}, credit_limit=Decimal(10_500))  # 10,000 receivable + 544 order
    outcome = place(world)
    assert outcome.status == "on_hold"
    assert outcome.reasons == (R.CREDIT_LIMIT_EXCEEDED,)
    assert outcome.allocations == ()
    stored = order_row(world, outcome.order_no or "")
    assert stored.status == "on_hold" and "exceeds the credit limit 10500.00" in stored.hold_reason
    assert stored.validation["credit"]["exposure_after"] == "10544.00"
    with pytest.raises(CreditLimitExceeded):
        outcome.raise_for_status()


def test_every_reason_is_reported_at_once(world: Engine) -> None:
    update(world, dealers, {"code": "DA"}, credit_limit=Decimal(1))
    update(world, contracts, {"contract_no": "HT-DA"}, status="voided")
    outcome = place(world, lines=[("MILK", 30), ("BUTTER", 1), ("FORMULA", 60)])
    assert outcome.status == "rejected"
    assert set(outcome.reasons) == {
        R.CONTRACT_MISSING,
        R.CASE_PACK_VIOLATION,
        R.NOT_AUTHORIZED_IN_TERRITORY,
        R.INSUFFICIENT_STOCK,
        R.CREDIT_LIMIT_EXCEEDED,
    }
    stored = order_row(world, outcome.order_no or "")
    assert {c["reason_code"] for c in stored.validation["checks"] if not c["ok"]} >= {
        r.value for r in outcome.reasons
    }


def test_rejected_order_is_stored_with_its_reasons_and_holds_no_stock(world: Engine) -> None:
    outcome = place(world, lines=[("BUTTER", 1)])
    with pytest.raises(NotAuthorizedInTerritory):
        outcome.raise_for_status()
    assert order_row(world, outcome.order_no or "").status == "rejected"
    assert outcome.allocations == ()


def test_an_overlong_idempotency_key_is_refused_before_anything_runs() -> None:
    with pytest.raises(ValidationError, match="longer than 128"):
        request(idempotency_key="k" * 129)
