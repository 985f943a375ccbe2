"""Safety stock, health flags and suggestions: the pure arithmetic, table-driven."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from canonical_model.errors import ConfigError
from dms_core.replenishment import Position, ReplenishmentPolicy, assess, round_up_to_case, safety_stock

D = Decimal
DAY = date(2026, 11, 2)
POLICY = ReplenishmentPolicy()  # 30-day window, 14 days cover, 90 / 5 / 50 / 30


def position(**fields: object) -> Position:
    return Position(dealer_code="DA", sku="MILK", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sold", "window", "cover", "expected"),
    [
        (D(30), 30, 14, D(14)),  # 1/day × 14 days
        (D(45), 30, 10, D(15)),  # 1.5/day × 10
        (D(10), 30, 14, D("4.6667")),  # 1/3 per day × 14, rounded to 4 decimals
        (D(0), 30, 14, D(0)),
        (D(90), 90, 7, D(7)),
    ],
)
def test_safety_stock_is_average_daily_sell_through_times_cover_days(
    sold: Decimal, window: int, cover: int, expected: Decimal
) -> None:
    policy = ReplenishmentPolicy(window_days=window, cover_days=cover)
    assert safety_stock(sold, policy) == expected
    assert assess(position(sold_in_window=sold), policy, DAY).safety_stock == expected


@pytest.mark.parametrize(
    ("fields", "flags"),
    [
        (
            {"on_hand": D(10), "oldest_receipt": DAY - timedelta(days=91), "sold_in_window": D(10)},
            ("overdue",),
        ),
        ({"on_hand": D(10), "oldest_receipt": DAY - timedelta(days=90), "sold_in_window": D(10)}, ()),
        ({"on_hand": D(0), "oldest_receipt": DAY - timedelta(days=200), "sold_in_window": D(10)}, ()),
        ({"sold_in_window": D("4.9")}, ("slow",)),
        ({"sold_in_window": D(5)}, ()),
        ({"sold_in_window": D(50)}, ()),
        ({"sold_in_window": D("50.1")}, ("fast",)),
        (
            {"on_hand": D(1), "nearest_expiry": DAY + timedelta(days=29), "sold_in_window": D(10)},
            ("expiring",),
        ),
        ({"on_hand": D(1), "nearest_expiry": DAY + timedelta(days=30), "sold_in_window": D(10)}, ()),
        ({"on_hand": D(0), "nearest_expiry": DAY + timedelta(days=3), "sold_in_window": D(10)}, ()),
        (
            {
                "on_hand": D(5),
                "oldest_receipt": date(2026, 1, 1),
                "nearest_expiry": DAY,
                "sold_in_window": D(0),
            },
            ("overdue", "slow", "expiring"),
        ),
    ],
)
def test_health_flags_follow_the_thresholds(fields: dict[str, object], flags: tuple[str, ...]) -> None:
    assert assess(position(**fields), POLICY, DAY).flags == flags


def test_thresholds_are_configurable() -> None:
    policy = ReplenishmentPolicy(overdue_days=30, slow_below=D(20), fast_above=D(25), expiring_within_days=60)
    found = assess(
        position(
            on_hand=D(1),
            oldest_receipt=DAY - timedelta(days=31),
            nearest_expiry=DAY + timedelta(days=45),
            sold_in_window=D(26),
        ),
        policy,
        DAY,
    )
    assert found.flags == ("overdue", "fast", "expiring")
    with pytest.raises(ConfigError):
        ReplenishmentPolicy(window_days=0)


@pytest.mark.parametrize(
    ("fields", "suggested"),
    [
        # safety 14 (30 sold in 30 days × 14) + pending 0 − on hand 0 − on order 0 = 14 → 1 case of 24
        ({"sold_in_window": D(30), "case_pack": 24}, D(24)),
        # 14 + 10 pending − 4 on hand − 0 = 20 → 4 cases of 6
        ({"sold_in_window": D(30), "pending_demand": D(10), "on_hand": D(4), "case_pack": 6}, D(24)),
        # exactly two cases
        ({"sold_in_window": D(60), "on_hand": D(4), "case_pack": 6}, D(24)),
        # on order covers it
        ({"sold_in_window": D(30), "on_order": D(14), "case_pack": 6}, D(0)),
        # more than enough on hand: never negative
        ({"sold_in_window": D(30), "on_hand": D(100), "case_pack": 6}, D(0)),
        # discontinued: assessed, never suggested
        ({"sold_in_window": D(30), "case_pack": 6, "orderable": False}, D(0)),
    ],
)
def test_suggested_qty_is_the_shortfall_rounded_up_to_whole_cases(
    fields: dict[str, object], suggested: Decimal
) -> None:
    assert assess(position(**fields), POLICY, DAY).suggested_qty == suggested


def test_round_up_to_case() -> None:
    assert [round_up_to_case(D(q), 6) for q in ("0", "0.1", "6", "6.0001", "-3")] == [
        D(0),
        D(6),
        D(6),
        D(12),
        D(0),
    ]
