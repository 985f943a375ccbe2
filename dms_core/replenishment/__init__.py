"""Replenishment: safety stock from sell-through, stock health flags, and draft orders.

Per dealer and SKU: *safety stock = average daily sell-through × cover days*; flags
``overdue`` / ``slow`` / ``fast`` / ``expiring`` with thresholds in
:class:`ReplenishmentPolicy`; *suggested = max(0, safety + pending demand − on hand − on
order)* rounded up to whole cases; drafts go through the ordering pipeline
(:func:`run_replenishment`). Where each number comes from: :mod:`.positions`.
"""

from __future__ import annotations

from dms_core.replenishment.drafting import (
    DraftRefused,
    ReplenishmentResult,
    idempotency_key,
    run_replenishment,
)
from dms_core.replenishment.health import FLAGS, Assessment, Position, assess, round_up_to_case, safety_stock
from dms_core.replenishment.policy import ReplenishmentPolicy
from dms_core.replenishment.positions import DEALER_LOCATION_KINDS, OPEN_ORDER_STATUSES, read_positions

__all__ = [
    "DEALER_LOCATION_KINDS",
    "FLAGS",
    "OPEN_ORDER_STATUSES",
    "Assessment",
    "DraftRefused",
    "Position",
    "ReplenishmentPolicy",
    "ReplenishmentResult",
    "assess",
    "idempotency_key",
    "read_positions",
    "round_up_to_case",
    "run_replenishment",
    "safety_stock",
]
