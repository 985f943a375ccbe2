"""Rebate tiers: which rate a basis earns.

A program's ``tiers`` are ``[{"from": X, "rate": r}, ...]`` in strictly ascending ``from``
order (``from_amount`` is accepted as the same key, as the table's comment names it).
A tier applies when ``basis >= from`` and ``basis < next tier's from``: the lower bound
is inclusive, the upper bound exclusive, and the last tier is open-ended. A basis below
the first ``from`` earns nothing. The rate applies to the whole money base, not only to
the part above the threshold (a step rebate, the common kind in dealer contracts).

For sell-in programs ``from`` is an amount of money; for sell-through programs it is a
rate (0.8 = 80 % of the units received were sold on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from canonical_model.errors import ValidationError

__all__ = ["Tier", "parse_tiers", "pick_tier"]


@dataclass(frozen=True, slots=True)
class Tier:
    """``rate`` applies from ``threshold`` (inclusive) up to the next tier's threshold (exclusive)."""

    threshold: Decimal
    rate: Decimal


def _decimal(program: str, index: int, name: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, str, float, Decimal)):
        raise ValidationError(
            f"rebate program {program}: tier {index + 1} {name} must be a number, got {value!r}"
        )
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError(
            f"rebate program {program}: tier {index + 1} {name} {value!r} is not a number"
        ) from exc
    if not number.is_finite():
        raise ValidationError(f"rebate program {program}: tier {index + 1} {name} must be finite")
    return number


def parse_tiers(program: str, raw: Any) -> tuple[Tier, ...]:
    """Validate a program's tiers JSON; a :class:`ValidationError` names the program and the tier."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError(f"rebate program {program}: tiers must be a non-empty list of {{from, rate}}")
    tiers: list[Tier] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ValidationError(
                f"rebate program {program}: tier {index + 1} must be an object {{from, rate}}"
            )
        key = "from" if "from" in item else "from_amount"
        if key not in item or "rate" not in item:
            raise ValidationError(f"rebate program {program}: tier {index + 1} needs 'from' and 'rate'")
        threshold = _decimal(program, index, "from", item[key])
        rate = _decimal(program, index, "rate", item["rate"])
        if threshold < 0:
            raise ValidationError(f"rebate program {program}: tier {index + 1} starts below zero")
        if not Decimal(0) <= rate <= Decimal(1):
            raise ValidationError(
                f"rebate program {program}: tier {index + 1} rate {rate} is not within 0..1"
            )
        if tiers and threshold <= tiers[-1].threshold:
            raise ValidationError(
                f"rebate program {program}: tiers must ascend strictly by 'from' "
                f"(tier {index + 1} starts at {threshold}, after {tiers[-1].threshold})"
            )
        tiers.append(Tier(threshold, rate))
    return tuple(tiers)


def pick_tier(tiers: Sequence[Tier], basis: Decimal) -> int | None:
    """Index of the tier ``basis`` falls in, or ``None`` below the first threshold."""
    found: int | None = None
    for index, tier in enumerate(tiers):
        if basis >= tier.threshold:
            found = index
        else:
            break
    return found
