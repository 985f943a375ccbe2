"""What the tracing rules are configured with: thresholds, the freeze policy, and how a terminal's
coordinates become a region code.

Coordinates: the hub's region table (GB/T 2260) has codes and names, no boundaries, so it cannot
place a latitude/longitude honestly. A deployment that has a geocoder (a reverse-geocoding
service or a boundary file) plugs it in as a :class:`RegionResolver`; without one, a scan with
coordinates and no region code is refused with a reason saying so — never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from dms_core.tracing.codes import DEFAULT_COMPANY_PREFIX_LENGTH

__all__ = ["RegionResolver", "TracingPolicy"]


class RegionResolver(Protocol):
    """Reverse geocoding: the six-digit region code at a point, or None when it cannot tell."""

    def region_at(self, latitude: float, longitude: float) -> str | None: ...


@dataclass(frozen=True)
class TracingPolicy:
    """The knobs of scan verification.

    ``max_scan_regions``: a code seen in more distinct regions than this is a suspected copy.
    ``freeze_on``: alert kinds that freeze the responsible dealer's ordering until resolved
    (diversion by default; an empty set only alerts).
    ``future_tolerance``: how far ahead of the server clock a terminal's timestamp may be.
    """

    max_scan_regions: int = 3
    freeze_on: frozenset[str] = frozenset({"diversion"})
    future_tolerance: timedelta = timedelta(minutes=5)
    company_prefix_length: int = DEFAULT_COMPANY_PREFIX_LENGTH
    region_resolver: RegionResolver | None = field(default=None, compare=False)
