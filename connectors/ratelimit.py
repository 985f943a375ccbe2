"""A thread-safe request-rate limit: at most ``rate`` requests per second, spaced evenly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """Spaces calls to :meth:`acquire` at least ``1 / rate`` seconds apart, across threads.

    Each caller reserves the next free slot under a lock, then sleeps outside it until its
    slot comes, so concurrent callers queue up in order instead of bursting. ``clock`` and
    ``sleep`` are injectable so tests need not wait.
    """

    def __init__(
        self,
        rate_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError(f"rate_per_second must be positive, got {rate_per_second}")
        self.interval = 1.0 / rate_per_second
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: float | None = None

    def acquire(self) -> float:
        """Wait for this caller's slot; returns the seconds waited (0.0 when none)."""
        with self._lock:
            now = self._clock()
            slot = now if self._next_slot is None else max(now, self._next_slot)
            self._next_slot = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)
