"""Life-cycle operations before shipment: approve, reject, hold, release a hold, cancel, release to the ERP.

Each runs in one transaction, locks the order row first, asks the transition table
whether the action is allowed (:class:`InvalidTransition` if not) and records the change
in ``order_status_history``. A refused operation raises its typed error and changes
nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

from canonical_model.tables import external_refs
from dms_core.ordering.approval import auto_decision, commit_approval
from dms_core.ordering.credit import check_credit, read_exposure
from dms_core.ordering.dealers import lock_dealer
from dms_core.ordering.errors import (
    CreditLimitExceeded,
    DealerNotFound,
    InvalidTransition,
    ReasonCode,
)
from dms_core.ordering.lifecycle import target_of
from dms_core.ordering.model import Transitioned
from dms_core.ordering.repository import (
    apply_transition,
    lock_order,
    transaction,
    write_outbox,
)
from dms_core.ordering.settings import OrderingSettings
from dms_core.ordering.stock import release_reservations

__all__ = ["approve", "cancel", "hold", "mark_released", "reject", "release_hold"]

Target = sa.Engine | sa.Connection


def approve(target: Target, order_no: str, *, settings: OrderingSettings, actor: str) -> Transitioned:
    """Approve by hand: re-check dealer, credit and stock under locks, reserve, queue for the ERP.

    The order ends ``allocated``. Raises :class:`CreditLimitExceeded` or
    :class:`InsufficientStock` (nothing changes; the order keeps its status).
    """
    with transaction(target) as conn:
        header = lock_order(conn, order_no)
        target_of("approve", header.status, order_no=order_no)
        was = header.status
        header, allocations = commit_approval(conn, header, settings, actor=actor, approval="manual")
        return Transitioned(order_no, was, header.status, tuple(allocations))


def reject(target: Target, order_no: str, *, actor: str, reason: str) -> Transitioned:
    """Reject an order awaiting a decision (``submitted``, ``pending_approval``, ``on_hold``)."""
    with transaction(target) as conn:
        header = lock_order(conn, order_no)
        done = apply_transition(conn, header, "reject", actor=actor, reason=reason[:300])
        return Transitioned(order_no, header.status, done.status)


def hold(target: Target, order_no: str, *, actor: str, reason: str) -> Transitioned:
    """Put an order awaiting approval on hold (it holds no stock yet)."""
    with transaction(target) as conn:
        header = lock_order(conn, order_no)
        done = apply_transition(
            conn, header, "hold", actor=actor, reason=reason[:300], hold_reason=reason[:300]
        )
        return Transitioned(order_no, header.status, done.status)


def release_hold(target: Target, order_no: str, *, settings: OrderingSettings, actor: str) -> Transitioned:
    """Take an order off hold: credit is checked again, there is no way around it.

    Within the dealer grade's auto-approval limit the order is approved and allocated at
    once (as when it was placed); otherwise it goes to ``pending_approval``. Raises
    :class:`CreditLimitExceeded` while the exposure still does not fit (the order stays
    on hold) and :class:`InsufficientStock` when approving finds too little stock.
    """
    with transaction(target) as conn:
        header = lock_order(conn, order_no)
        if header.status != "on_hold":
            raise InvalidTransition(f"order {order_no} is {header.status}, not on hold")
        dealer = lock_dealer(conn, header.dealer_code)
        if dealer is None:
            raise DealerNotFound(f"order {order_no}: dealer {header.dealer_code} no longer exists")
        decision = auto_decision(settings, dealer, header.total_net)
        if decision.reason_code is ReasonCode.AUTO_APPROVED:
            done, allocations = commit_approval(conn, header, settings, actor=actor, approval="auto")
            return Transitioned(order_no, header.status, done.status, tuple(allocations))
        credit = check_credit(dealer, read_exposure(conn, dealer.code), header.total_net)
        if not credit.ok:
            raise CreditLimitExceeded(f"order {order_no}: {credit.message}", checks=[credit])
        done = apply_transition(
            conn, header, "request_approval", actor=actor, reason="hold released", hold_reason=None
        )
        return Transitioned(order_no, header.status, done.status)


def cancel(
    target: Target, order_no: str, *, settings: OrderingSettings, actor: str, reason: str
) -> Transitioned:
    """Cancel an order that has not shipped: its reservations are released in the same transaction.

    An order already released to the ERP also gets a ``cancel_order`` outbox message.
    """
    with transaction(target) as conn:
        header = lock_order(conn, order_no)
        target_of("cancel", header.status, order_no=order_no)
        release_reservations(conn, order_no)
        done = apply_transition(
            conn, header, "cancel", actor=actor, reason=reason[:300], cancel_reason=reason[:300]
        )
        if header.status == "released_to_erp":
            payload = {"order_no": order_no, "reason": reason}
            write_outbox(
                conn, target=settings.outbox_target, kind="cancel_order", order_no=order_no, payload=payload
            )
        return Transitioned(order_no, header.status, done.status)


def mark_released(
    target: Target, order_no: str, *, system: str, external_id: str, actor: str | None = None
) -> Transitioned:
    """Record that the ERP accepted the order as ``external_id`` (``allocated → released_to_erp``).

    Idempotent: repeating it with the same ERP number changes nothing. The reference is
    kept in ``external_refs`` (entity ``order``).
    """
    with transaction(target) as conn:
        header = lock_order(conn, order_no)
        known = conn.execute(
            sa.select(external_refs.c.external_id).where(
                external_refs.c.entity_type == "order",
                external_refs.c.entity_key == order_no,
                external_refs.c.system == system,
            )
        ).scalar()
        if header.status == "released_to_erp" and known == external_id:
            return Transitioned(order_no, header.status, header.status)
        done = apply_transition(
            conn, header, "release_to_erp", actor=actor or system, reason=f"{system} {external_id}"
        )
        if known is None:
            conn.execute(
                external_refs.insert(),
                [
                    {
                        "entity_type": "order",
                        "entity_key": order_no,
                        "system": system,
                        "external_id": external_id,
                    }
                ],
            )
        return Transitioned(order_no, header.status, done.status)
