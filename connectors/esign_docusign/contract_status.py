"""Canonical contract statuses and their order, shared by the e-signature connectors.

Providers deliver callbacks out of order (a retried ``sent`` after ``completed``). A status
never moves backwards: :func:`furthest` keeps the state furthest along. The terminal states
(signed, declined, voided, expired) share the top rank; the first one reached stays.
"""

from __future__ import annotations

__all__ = ["STATUS_RANK", "furthest"]

STATUS_RANK: dict[str, int] = {
    "draft": 0,
    "sent": 1,
    "delivered": 2,
    "signed": 3,
    "declined": 3,
    "voided": 3,
    "expired": 3,
}
"""Rank of each canonical ``contracts.status``; a higher rank is further along."""


def furthest(current: str | None, incoming: str) -> str:
    """The status to keep when ``incoming`` arrives on a contract at ``current``."""
    if current is None or current not in STATUS_RANK:
        return incoming
    return incoming if STATUS_RANK.get(incoming, -1) > STATUS_RANK[current] else current
