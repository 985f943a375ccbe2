"""Calendar months (``YYYY-MM``) as the channel reports' period, and where their edges fall.

Dates (order dates, sell-through report days) compare directly. Timestamps (deliveries,
acceptance, alerts) are stored in UTC but the channel works on China Standard Time: a
parcel signed for at 01:00 on 1 December in Hangzhou belongs to December, so timestamp
edges are midnight in :data:`BUSINESS_TZ`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from canonical_model.errors import ValidationError

__all__ = ["BUSINESS_TZ", "Period"]

BUSINESS_TZ = timezone(timedelta(hours=8), "CST")
"""The timezone whose midnights bound a period's timestamps (UTC+08:00, no daylight saving)."""

_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
YEARS = range(1900, 3000)
"""Years a period may fall in: business months, far enough from ``date``'s year 9999 that
every edge a report computes (the month's end, a lookahead window) is still a date."""


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One calendar month; ``str(period)`` is its ``YYYY-MM`` key."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"2026-11"`` → ``Period(2026, 11)``; anything else is a :class:`ValidationError`."""
        match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise ValidationError(f"period must be YYYY-MM (e.g. 2026-11), got {text!r}")
        if int(match.group(1)) not in YEARS:
            first, last = YEARS.start, YEARS.stop - 1
            raise ValidationError(f"period {text.strip()} is out of range ({first}-01 to {last}-12)")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def first_day(self) -> date:
        """The first day of the month."""
        return date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> date:
        """The first day of the following month (the exclusive upper edge)."""
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        """The last day of the month."""
        return self.next_first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """The first instant of the month in :data:`BUSINESS_TZ`, as UTC."""
        return datetime.combine(self.first_day, time(), BUSINESS_TZ).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the month (exclusive), as UTC."""
        return datetime.combine(self.next_first_day, time(), BUSINESS_TZ).astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
