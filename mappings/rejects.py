"""Rejected rows: the failing rule, every reason, the raw record and where it came from.

Rules are checked in a fixed order — required → cast → map → lookup → unit/currency →
checks → duplicate_key — and, within a step, fields in spec order. A row failing several
rules is rejected once: ``rule`` is the first failure, ``reason`` lists them all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from canonical_model.store.merge_encode import json_safe
from mappings.vec import Mask

__all__ = ["Failure", "Reject", "Step", "build_rejects", "show"]


class Step(IntEnum):
    """The order in which rule failures are reported."""

    REQUIRED = 0
    CAST = 1
    MAP = 2
    LOOKUP = 3
    CONVERT = 4
    CHECK = 5
    DUPLICATE = 6


@dataclass(frozen=True)
class Reject:
    """One input row that did not map.

    ``rule`` is a stable identifier (``required:sku``, ``cast:on_hand``, ``map:status``,
    ``lookup:sku``, ``unit:qty``, ``currency:amount``, ``expr:qty_base``, ``check:on_hand``,
    ``check:<row rule>``, ``duplicate_key``); ``reason`` is for people and names every
    failure of the row; ``raw`` is the input record as JSON-safe data.
    """

    rule: str
    reason: str
    raw: dict[str, Any]
    source_offset: str | None
    record_key: str | None


@dataclass(frozen=True)
class Failure:
    """Rows failing one rule; ``describe(position)`` gives the reason for one of them."""

    step: Step
    order: int
    rule: str
    mask: Mask
    describe: Callable[[int], str]


def show(value: object) -> str:
    """A value as it appears in a reason: quoted text, ``empty`` for a missing value."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "empty"
    if isinstance(value, float) and math.isnan(value):
        return "empty"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def build_rejects(
    failures: Sequence[Failure],
    frame: pd.DataFrame,
    *,
    source_offsets: Sequence[object] | None,
    record_keys: Callable[[npt.NDArray[np.intp]], list[str | None]],
) -> tuple[Mask, list[Reject]]:
    """The mask of rejected rows and one ``Reject`` per rejected row, in input order."""
    n = len(frame)
    rejected = np.zeros(n, dtype=bool)
    for failure in failures:
        rejected |= failure.mask
    positions = np.flatnonzero(rejected)
    if not len(positions):
        return rejected, []
    rules: dict[int, str] = {}
    reasons: dict[int, list[str]] = {}
    for failure in sorted(failures, key=lambda f: (f.step, f.order)):
        for pos in np.flatnonzero(failure.mask).tolist():
            rules.setdefault(pos, failure.rule)
            reasons.setdefault(pos, []).append(failure.describe(pos))
    columns = {str(name): frame[name].to_numpy(dtype=object)[positions] for name in frame.columns}
    keys = record_keys(positions)
    rejects = []
    for index, (pos, key) in enumerate(zip(positions.tolist(), keys, strict=True)):
        offset = source_offsets[pos] if source_offsets is not None else None
        rejects.append(
            Reject(
                rule=rules[pos],
                reason="; ".join(reasons[pos]),
                raw={name: json_safe(values[index]) for name, values in columns.items()},
                source_offset=None if offset is None or offset is pd.NA else _fit(str(offset)),
                record_key=None if key is None else _fit(key),
            )
        )
    return rejected, rejects


def _fit(text: str, limit: int = 255) -> str:
    # The quarantine table keeps keys and offsets in VARCHAR(255).
    return text if len(text) <= limit else text[: limit - 1] + "…"
