"""The order life cycle as a transition table: data, not ``if``s.

Each :class:`Transition` names an action, the statuses it may start from and the status it
leads to. Every status change of an order goes through :func:`target_of` and is recorded
in ``order_status_history``. A new order is written as ``submitted`` (history ``None →
submitted``) and then moved on by actions in the same transaction.

::

    draft ─submit→ submitted ─request_approval→ pending_approval ─approve→ approved ─allocate→ allocated
    allocated ─release_to_erp→ released_to_erp ─ship_partial→ partially_shipped ─ship→ shipped
    shipped ─deliver→ delivered ─accept→ accepted ─close→ closed
    submitted/pending_approval ─hold→ on_hold ─approve | request_approval→ …
    submitted/pending_approval/on_hold ─reject→ rejected
    draft … released_to_erp ─cancel→ cancelled      partially_shipped ─close→ closed (short close)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from canonical_model.tables import ORDER_STATUSES
from dms_core.ordering.errors import InvalidTransition

__all__ = [
    "CREDIT_EXPOSURE_STATUSES",
    "RESERVING_STATUSES",
    "TERMINAL_STATUSES",
    "TRANSITIONS",
    "TRANSITION_TABLE",
    "Transition",
    "allowed_actions",
    "target_of",
]


@dataclass(frozen=True, slots=True)
class Transition:
    """``action`` moves an order from any of ``sources`` to ``target``."""

    action: str
    sources: tuple[str, ...]
    target: str


_CANCELLABLE: Final = (
    "draft",
    "submitted",
    "pending_approval",
    "on_hold",
    "approved",
    "allocated",
    "released_to_erp",
)
_SHIPPABLE: Final = ("allocated", "released_to_erp", "partially_shipped")

TRANSITIONS: Final[tuple[Transition, ...]] = (
    Transition("submit", ("draft",), "submitted"),
    Transition("request_approval", ("submitted", "on_hold"), "pending_approval"),
    Transition("hold", ("submitted", "pending_approval"), "on_hold"),
    Transition("approve", ("submitted", "pending_approval", "on_hold"), "approved"),
    Transition("reject", ("submitted", "pending_approval", "on_hold"), "rejected"),
    Transition("allocate", ("approved",), "allocated"),
    Transition("release_to_erp", ("allocated",), "released_to_erp"),
    Transition("ship_partial", _SHIPPABLE, "partially_shipped"),
    Transition("ship", _SHIPPABLE, "shipped"),
    Transition("deliver", ("shipped",), "delivered"),
    Transition("accept", ("shipped", "delivered"), "accepted"),
    # From partially_shipped this is a short close: the rest is never shipped, its stock freed.
    Transition("close", ("delivered", "accepted", "partially_shipped"), "closed"),
    Transition("cancel", _CANCELLABLE, "cancelled"),
)

TRANSITION_TABLE: Final[Mapping[tuple[str, str], str]] = MappingProxyType(
    {(source, t.action): t.target for t in TRANSITIONS for source in t.sources}
)
"""``(current status, action) → next status``."""

TERMINAL_STATUSES: Final = frozenset(ORDER_STATUSES) - {s for s, _ in TRANSITION_TABLE}
"""Statuses no action leaves: ``closed``, ``cancelled``, ``rejected``."""

RESERVING_STATUSES: Final = frozenset({"allocated", "released_to_erp", "partially_shipped"})
"""Statuses in which an order may hold active reservations."""

CREDIT_EXPOSURE_STATUSES: Final = frozenset({"approved", "allocated", "released_to_erp", "partially_shipped"})
"""Statuses whose unshipped value counts against the dealer's credit limit."""


def target_of(action: str, current: str, *, order_no: str = "") -> str:
    """The status ``action`` leads to from ``current``; :class:`InvalidTransition` if none."""
    try:
        return TRANSITION_TABLE[(current, action)]
    except KeyError:
        allowed = ", ".join(allowed_actions(current)) or "none"
        which = f"order {order_no} " if order_no else "an order "
        raise InvalidTransition(
            f"cannot {action} {which}in status {current!r} (allowed: {allowed})"
        ) from None


def allowed_actions(current: str) -> tuple[str, ...]:
    """The actions the table allows from ``current``, in table order."""
    return tuple(t.action for t in TRANSITIONS if current in t.sources)
