"""Price watch: more than the margin below the guide price is a violation; one open alert per dealer × SKU."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.errors import ValidationError
from canonical_model.tables import channel_alerts, price_observations
from dms_core.channel import (
    PriceObservation,
    PriceWatchSettings,
    is_violation,
    observations_from_rows,
    record_observations,
)
from dms_core.channel.periods import BUSINESS_TZ
from tests.dms_core.ordering_support import seed_world

D = Decimal
AT = datetime(2026, 11, 5, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("price", "guide", "margin", "violation"),
    [
        ("9.50", "10.00", "0.05", False),  # exactly 5 % below: allowed
        ("9.4999", "10.00", "0.05", True),  # more than 5 % below
        ("9.49", "10.00", "0.05", True),
        ("10.00", "10.00", "0.05", False),
        ("12.00", "10.00", "0.05", False),  # above the guide price is not dumping
        ("9.00", "10.00", "0.10", False),  # exactly 10 % with a 10 % margin
        ("9.99", "10.00", "0", True),  # zero margin: any discount
        ("1.00", None, "0.05", False),  # no guide price: never checked
    ],
)
def test_only_more_than_the_margin_below_guide_is_a_violation(
    price: str, guide: str | None, margin: str, violation: bool
) -> None:
    settings = PriceWatchSettings(margin=D(margin))
    assert is_violation(D(price), None if guide is None else D(guide), settings) is violation


def obs(
    price: str, *, sku: str = "MILK", at: datetime = AT, dealer: str = "DA", ref: str = "shop 1"
) -> PriceObservation:
    return PriceObservation(
        dealer, sku, D(price), at, source="market_check", reference=ref, region_code="330106"
    )


def alerts(engine: Engine) -> list[tuple[str, str | None, str | None, list[str]]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(channel_alerts)
            .where(channel_alerts.c.kind == "price_violation")
            .order_by(channel_alerts.c.raised_at)
        ).all()
    return [(r.status, r.dealer_code, r.sku, [e["price"] for e in r.evidence]) for r in rows]


@pytest.fixture
def world(engine: Engine) -> Engine:
    seed_world(engine)  # every product's guide price is 10.00
    return engine


def test_the_boundary_price_is_recorded_without_an_alert(world: Engine) -> None:
    with world.begin() as conn:
        result = record_observations(conn, [obs("9.50")])
    assert (result.recorded, result.violations) == (1, 0)
    assert alerts(world) == []


def test_one_open_alert_per_dealer_and_sku_accumulates_its_observations(world: Engine) -> None:
    with world.begin() as conn:
        first = record_observations(conn, [obs("9.49")])
    with world.begin() as conn:
        second = record_observations(
            conn, [obs("8.00", at=AT + timedelta(days=1)), obs("9.00", sku="FORMULA")]
        )
    assert len(first.alerts_opened) == 1 and second.alerts_updated == first.alerts_opened
    assert alerts(world) == [
        ("open", "DA", "MILK", ["9.49", "8.00"]),
        ("open", "DA", "FORMULA", ["9.00"]),
    ]


def test_the_same_observation_twice_is_stored_once_and_raises_once(world: Engine) -> None:
    with world.begin() as conn:
        record_observations(conn, [obs("9.00"), obs("9.00")])
    with world.begin() as conn:
        again = record_observations(conn, [obs("9.00")])
    assert (again.recorded, again.duplicates, again.alerts_opened, again.alerts_updated) == (0, 1, [], [])
    assert alerts(world) == [("open", "DA", "MILK", ["9.00"])]
    with world.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(price_observations)).scalar_one() == 1


def test_after_resolution_a_new_violation_opens_a_new_alert(world: Engine) -> None:
    with world.begin() as conn:
        record_observations(conn, [obs("9.00")])
        conn.execute(channel_alerts.update().values(status="resolved"))
    with world.begin() as conn:
        record_observations(conn, [obs("8.50", at=AT + timedelta(days=3))])
    assert alerts(world) == [("resolved", "DA", "MILK", ["9.00"]), ("open", "DA", "MILK", ["8.50"])]


def test_unknown_dealers_and_products_reject_the_whole_batch(world: Engine) -> None:
    with (
        pytest.raises(ValidationError, match="unknown dealer NOPE; unknown product GHOST"),
        world.begin() as conn,
    ):
        record_observations(conn, [obs("1.00"), obs("1.00", dealer="NOPE"), obs("1.00", sku="GHOST")])
    with world.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(price_observations)).scalar_one() == 0


def test_csv_rows_become_observations_and_bad_rows_are_reported_by_number() -> None:
    good = {"dealer_code": "DA", "sku": "MILK", "price": "9.10", "observed_at": "2026-11-05 10:00"}
    (parsed,) = observations_from_rows([good])
    assert parsed.observed_at == datetime(2026, 11, 5, 10, tzinfo=BUSINESS_TZ)  # naive = China time
    assert parsed.source == "dealer_report"
    bad = [good, {**good, "price": "cheap"}, {**good, "observed_at": ""}, {**good, "source": "rumour"}]
    with pytest.raises(ValidationError) as caught:
        observations_from_rows(bad)
    message = str(caught.value)
    assert "row 3: price 'cheap' is not a number" in message
    assert "row 4: missing observed_at" in message
    assert "row 5: price source must be one of" in message


def test_a_margin_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValidationError, match="within 0 and 1"):
        PriceWatchSettings(margin=D("1.5"))
