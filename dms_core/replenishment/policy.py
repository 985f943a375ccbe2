"""The replenishment policy: how much cover to keep and when a stock position is unhealthy."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from canonical_model.errors import ConfigError

__all__ = ["ReplenishmentPolicy"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplenishmentPolicy:
    """Thresholds of the replenishment run; the defaults are the issue's (per month = 30 days).

    - ``window_days``: sell-through history averaged for the daily rate.
    - ``cover_days``: N in *safety stock = average daily sell-through × N*.
    - ``overdue_days``: stock received longer ago than this is ``overdue``.
    - ``slow_below`` / ``fast_above``: monthly sell-through under / over which a SKU is
      ``slow`` / ``fast``.
    - ``expiring_within_days``: a lot on hand expiring in fewer days than this is ``expiring``.
    """

    window_days: int = 30
    cover_days: int = 14
    overdue_days: int = 90
    slow_below: Decimal = Decimal(5)
    fast_above: Decimal = Decimal(50)
    expiring_within_days: int = 30
    days_per_month: int = 30

    def __post_init__(self) -> None:
        for name in ("window_days", "days_per_month"):
            if getattr(self, name) < 1:
                raise ConfigError(f"replenishment policy: {name} must be at least 1")
        for name in ("cover_days", "overdue_days", "expiring_within_days"):
            if getattr(self, name) < 0:
                raise ConfigError(f"replenishment policy: {name} must not be negative")
        if self.slow_below > self.fast_above:
            raise ConfigError("replenishment policy: slow_below is above fast_above")
