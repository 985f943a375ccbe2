"""The catalog cache: one pricing catalog per day, reused across orders until its time is up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from canonical_model.tables import price_list_items, products
from dms_core.ordering import CachedReference, ReasonCode, place_order
from tests.dms_core.ordering_support import DAY, request, seed_world, settings, update

D = Decimal


class FakeClock:
    """Seconds that only move when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(engine: Engine) -> Engine:
    seed_world(engine)
    return engine


def milk_total(engine: Engine, cache: CachedReference, day: date = DAY) -> Decimal:
    outcome = place_order(
        engine, request(lines=[("MILK", 24)], order_date=day), settings=settings(reference=cache)
    )
    assert outcome.quote is not None, outcome.failures
    return outcome.quote.total_net


def test_a_price_change_shows_once_the_cached_catalog_expires(world: Engine) -> None:
    clock = FakeClock()
    cache = CachedReference(ttl_seconds=60, clock=clock)
    assert milk_total(world, cache) == D("72.00")
    update(world, price_list_items, {"price_list_code": "PL-L1", "sku": "MILK"}, unit_price=D("4.00"))
    clock.now = 59
    assert milk_total(world, cache) == D("72.00")  # still the cached catalog
    clock.now = 60
    assert milk_total(world, cache) == D("96.00")


def test_invalidate_drops_catalogs_and_reference_data_at_once(world: Engine) -> None:
    cache = CachedReference(ttl_seconds=3600, clock=FakeClock())
    milk_total(world, cache)
    update(world, products, {"sku": "MILK"}, status="discontinued")
    update(world, price_list_items, {"price_list_code": "PL-L1", "sku": "MILK"}, unit_price=D("4.00"))
    assert milk_total(world, cache) == D("72.00")
    cache.invalidate()
    outcome = place_order(world, request(lines=[("MILK", 24)]), settings=settings(reference=cache))
    assert ReasonCode.PRODUCT_DISCONTINUED in outcome.reasons
    assert outcome.quote is not None and outcome.quote.total_net == D("96.00")


def test_each_order_date_is_priced_with_that_days_rows(world: Engine) -> None:
    cache = CachedReference(clock=FakeClock())
    assert milk_total(world, cache, DAY) == D("72.00")
    outcome = place_order(
        world, request(lines=[("MILK", 24)], order_date=date(2027, 1, 5)), settings=settings(reference=cache)
    )
    assert ReasonCode.NO_APPLICABLE_PRICE in outcome.reasons  # the 2026 price lists have ended
