"""Settings of the ordering service: approval limits, warehouse order, outbox target, ports.

Build one :class:`OrderingSettings` per process (in the composition root) and pass it to
every call: it carries the :class:`~dms_core.ordering.reference.CachedReference`, so a
settings object built per order would reload the pricing catalog per order.

There is deliberately no setting that skips the credit or stock check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from dms_core.ordering.ports import OrderNumbers, RandomOrderNumbers, ReferenceSource
from dms_core.ordering.reference import CachedReference

__all__ = ["DEFAULT_AUTO_APPROVAL_LIMITS", "OrderingSettings", "WarehouseStrategy"]


class WarehouseStrategy(StrEnum):
    """Which supplying warehouse an order line is allocated from first.

    ``priority``: ``locations.priority`` (smaller first), then code. ``nearest``:
    warehouses in the ship-to's city first, then its province, then the rest, each tier by
    priority.
    """

    PRIORITY = "priority"
    NEAREST = "nearest"


DEFAULT_AUTO_APPROVAL_LIMITS: Mapping[str, Decimal | None] = MappingProxyType(
    {"A": Decimal(50_000), "B": Decimal(20_000), "C": None}
)
"""Largest order total (net, in the dealer's currency) approved without a person, per grade.

``None`` (and a grade not listed, and a dealer without grade) means never automatic.
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderingSettings:
    """How the ordering service decides; defaults suit the sample network.

    - ``auto_approval_limits``: see :data:`DEFAULT_AUTO_APPROVAL_LIMITS`.
    - ``warehouse_strategy``: see :class:`WarehouseStrategy`.
    - ``supplying_location_kinds``: which locations' stock dealers' orders draw on.
    - ``required_qualifications``: kinds a dealer must hold, valid on the order date (every
      qualification on file must be valid too).
    - ``outbox_target``: the connector that receives approved orders (``submit_order``)
      and cancellations of released ones (``cancel_order``).
    - ``reference`` and ``order_numbers``: the ports (see :mod:`dms_core.ordering.ports`).
    """

    auto_approval_limits: Mapping[str, Decimal | None] = field(
        default_factory=lambda: DEFAULT_AUTO_APPROVAL_LIMITS
    )
    warehouse_strategy: WarehouseStrategy = WarehouseStrategy.PRIORITY
    supplying_location_kinds: tuple[str, ...] = ("brand_warehouse",)
    required_qualifications: tuple[str, ...] = ("business_license",)
    outbox_target: str = "erp"
    system_actor: str = "dms"
    reference: ReferenceSource = field(default_factory=CachedReference)
    order_numbers: OrderNumbers = field(default_factory=RandomOrderNumbers)

    def auto_approval_limit(self, grade: str | None) -> Decimal | None:
        """The auto-approval ceiling for a dealer grade, ``None`` for never."""
        if grade is None:
            return None
        return self.auto_approval_limits.get(grade)
