"""Stock health of one dealer × SKU: safety stock, health flags and the suggested order quantity.

Pure arithmetic on a :class:`Position`; reading positions from the store is
:mod:`dms_core.replenishment.positions`.

- *average daily sell-through* = units sold in the window ÷ window days;
- *safety stock* = average daily sell-through × cover days (from the exact average, then
  rounded to the store's 4 decimals);
- *suggested* = max(0, safety stock + pending demand − on hand − on order), rounded **up**
  to a whole number of cases (``case_pack`` base units);
- flags: ``overdue`` (on-hand stock whose oldest receipt is more than ``overdue_days``
  ago), ``slow`` / ``fast`` (monthly sell-through below / above the thresholds),
  ``expiring`` (an on-hand lot expires in fewer than ``expiring_within_days``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from dms_core.replenishment.policy import ReplenishmentPolicy

__all__ = ["FLAGS", "Assessment", "Position", "assess", "round_up_to_case", "safety_stock"]

FLAGS = ("overdue", "slow", "fast", "expiring")
_SCALE = Decimal("0.0001")  # QTY columns keep 4 decimals


@dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    """What is known about one dealer's stock of one SKU on the day of the run (base units).

    ``pending_demand`` is stock already promised to someone (reserved at the dealer's own
    locations); ``on_order`` what is on its way (open orders not yet shipped, plus stock in
    transit to the dealer); ``oldest_receipt`` the receipt day of the oldest lot still on
    hand; ``nearest_expiry`` the earliest expiry among lots on hand.
    """

    dealer_code: str
    sku: str
    case_pack: int = 1
    on_hand: Decimal = Decimal(0)
    pending_demand: Decimal = Decimal(0)
    on_order: Decimal = Decimal(0)
    sold_in_window: Decimal = Decimal(0)
    oldest_receipt: date | None = None
    nearest_expiry: date | None = None
    orderable: bool = True


@dataclass(frozen=True, slots=True)
class Assessment:
    """The outcome for one position: the numbers stored in ``stock_health``."""

    position: Position
    avg_daily_sell_through: Decimal
    monthly_sell_through: Decimal
    safety_stock: Decimal
    suggested_qty: Decimal
    flags: tuple[str, ...]
    age_days: int | None
    days_to_expiry: int | None


def safety_stock(sold_in_window: Decimal, policy: ReplenishmentPolicy) -> Decimal:
    """Average daily sell-through × cover days, rounded to 4 decimals."""
    return _q(sold_in_window * policy.cover_days / policy.window_days)


def round_up_to_case(qty: Decimal, case_pack: int) -> Decimal:
    """The smallest whole number of cases holding at least ``qty`` (0 stays 0)."""
    if qty <= 0:
        return Decimal(0)
    pack = Decimal(max(case_pack, 1))
    return (qty / pack).to_integral_value(rounding=ROUND_CEILING) * pack


def assess(position: Position, policy: ReplenishmentPolicy, as_of: date) -> Assessment:
    """Safety stock, flags and suggestion for ``position`` on ``as_of``."""
    sold = position.sold_in_window
    avg = _q(sold / policy.window_days)
    monthly = _q(sold * policy.days_per_month / policy.window_days)
    safety = safety_stock(sold, policy)
    need = safety + position.pending_demand - position.on_hand - position.on_order
    suggested = round_up_to_case(need, position.case_pack) if position.orderable else Decimal(0)
    stocked = position.on_hand > 0
    age = (as_of - position.oldest_receipt).days if stocked and position.oldest_receipt else None
    to_expiry = (position.nearest_expiry - as_of).days if stocked and position.nearest_expiry else None
    raised = {
        "overdue": age is not None and age > policy.overdue_days,
        "slow": monthly < policy.slow_below,
        "fast": monthly > policy.fast_above,
        "expiring": to_expiry is not None and to_expiry < policy.expiring_within_days,
    }
    flags = tuple(name for name in FLAGS if raised[name])
    return Assessment(position, avg, monthly, safety, suggested, flags, age, to_expiry)


def _q(value: Decimal) -> Decimal:
    return value.quantize(_SCALE, rounding=ROUND_HALF_UP)
