"""Rounding to fen and splitting an amount across lines so the parts sum exactly.

Rounding happens in three places only, always half-up to 0.01: a line's list amount
(``list_price × qty``), a line's amount after each price rule (unit prices themselves
stay exact), and the fen shares a promotion allocates. Everything after that is sums and
differences of fen amounts, so line amounts add up to the order total exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

__all__ = ["FEN", "ZERO", "allocate", "floor_units", "round_fen", "round_unit"]

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
_UNIT = Decimal("0.0001")


def round_fen(value: Decimal) -> Decimal:
    """Half-up to 0.01."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def round_unit(value: Decimal) -> Decimal:
    """Half-up to 0.0001, the scale of unit prices in the store."""
    return value.quantize(_UNIT, rounding=ROUND_HALF_UP)


def floor_units(value: Decimal) -> Decimal:
    """Whole units, rounded down (free goods are never fractional)."""
    return value.to_integral_value(rounding=ROUND_FLOOR)


def _fen(value: Decimal) -> int:
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))


def allocate(
    total: Decimal, weights: Sequence[Decimal], caps: Sequence[Decimal]
) -> tuple[list[Decimal], set[int]]:
    """Split ``total`` across lines in proportion to ``weights``, never giving a line more than its cap.

    Works in integer fen: a line whose proportional share reaches its cap gets the cap and
    drops out, the rest is re-split among the others (water-filling); the final split
    floors each share and hands the leftover fen to the largest remainders (ties: the
    earlier line). The shares sum to ``min(total, sum of caps of weighted lines)`` exactly.
    Returns the shares and the indices whose cap bound them (the price floor).
    """
    remaining = _fen(total)
    fen_weights = [_fen(w) for w in weights]
    fen_caps = [max(_fen(c), 0) for c in caps]
    shares = [0] * len(fen_weights)
    capped = {i for i, w in enumerate(fen_weights) if w > 0 and fen_caps[i] == 0}
    active = [i for i, w in enumerate(fen_weights) if w > 0 and fen_caps[i] > 0]
    while active and remaining > 0:
        weight = sum(fen_weights[i] for i in active)
        full = [i for i in active if remaining * fen_weights[i] >= fen_caps[i] * weight]
        if full:
            for i in full:
                shares[i] = fen_caps[i]
                remaining -= fen_caps[i]
                capped.add(i)
            active = [i for i in active if i not in capped]
            continue
        for i in active:
            shares[i] = remaining * fen_weights[i] // weight
        leftover = remaining - sum(shares[i] for i in active)
        by_remainder = sorted(active, key=lambda i: (-(remaining * fen_weights[i] % weight), i))
        for i in by_remainder[:leftover]:
            shares[i] += 1
        remaining = 0
    return [Decimal(s).scaleb(-2).quantize(FEN) for s in shares], capped
