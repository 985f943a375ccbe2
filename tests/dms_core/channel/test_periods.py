"""Periods: the YYYY-MM key, its edges in China time, and the years a report can compute."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from canonical_model.errors import ValidationError
from dms_core.channel.periods import Period


def test_a_period_s_edges_are_midnights_in_china_time() -> None:
    period = Period.parse("2026-12")
    assert (period.first_day, period.last_day) == (date(2026, 12, 1), date(2026, 12, 31))
    assert period.start == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert period.end == datetime(2026, 12, 31, 16, tzinfo=UTC)
    assert str(period) == "2026-12"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "period must be YYYY-MM"),
        ("26-11", "period must be YYYY-MM"),
        ("1899-12", "out of range"),
        ("3000-01", "out of range"),
        ("9999-12", "out of range"),  # its end would be 10000-01-01: no date
    ],
)
def test_a_period_outside_the_calendar_or_the_business_years_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Period.parse(text)


def test_the_last_accepted_period_still_has_every_edge() -> None:
    period = Period.parse("2999-12")
    assert period.end > period.start and period.next_first_day == date(3000, 1, 1)
