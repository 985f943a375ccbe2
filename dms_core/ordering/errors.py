"""Reason codes of the ordering pipeline and the typed errors that carry them.

::

    HubError (canonical_model.errors)
    └── DomainError                    a business rule refuses the request; ``code`` says which
        ├── DealerNotFound, DealerInactive
        ├── InvalidShipTo, ShipToNotOwned
        ├── QualificationMissing, QualificationExpired, QualificationNotYetValid
        ├── ContractMissing, ContractExpired
        ├── EmptyOrder, ProductNotFound, ProductDiscontinued, UnknownUnit, InvalidQuantity
        ├── CasePackViolation, BelowMinimumQty
        ├── NotAuthorizedInTerritory
        ├── PriceNotFound, PricingFailed
        ├── InsufficientStock
        ├── CreditLimitExceeded
        ├── OrderNotFound, InvalidTransition
        └── ShipmentMismatch, AcceptanceMismatch

Every validation step reports a :class:`ReasonCode`; :func:`error_for` turns a failing
check into its typed error (``OrderOutcome.raise_for_status`` does that for callers that
prefer exceptions). Codes are stable strings: they are stored in ``orders.validation``
and shown to the channel team.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from canonical_model.errors import HubError

if TYPE_CHECKING:
    from dms_core.ordering.model import CheckResult

__all__ = [
    "AcceptanceMismatch",
    "BelowMinimumQty",
    "CasePackViolation",
    "ContractExpired",
    "ContractMissing",
    "CreditLimitExceeded",
    "DealerInactive",
    "DealerNotFound",
    "DomainError",
    "EmptyOrder",
    "InsufficientStock",
    "InvalidQuantity",
    "InvalidShipTo",
    "InvalidTransition",
    "NotAuthorizedInTerritory",
    "OrderNotFound",
    "PriceNotFound",
    "PricingFailed",
    "ProductDiscontinued",
    "ProductNotFound",
    "QualificationExpired",
    "QualificationMissing",
    "QualificationNotYetValid",
    "ReasonCode",
    "ShipToNotOwned",
    "ShipmentMismatch",
    "UnknownUnit",
    "error_for",
]


class ReasonCode(StrEnum):
    """Why a check failed (or, for the last three, what the pipeline decided)."""

    DEALER_NOT_FOUND = "dealer_not_found"
    DEALER_INACTIVE = "dealer_inactive"
    INVALID_SHIP_TO = "invalid_ship_to"
    SHIP_TO_NOT_OWNED = "ship_to_not_owned"
    QUALIFICATION_MISSING = "qualification_missing"
    QUALIFICATION_EXPIRED = "qualification_expired"
    QUALIFICATION_NOT_YET_VALID = "qualification_not_yet_valid"
    CONTRACT_MISSING = "contract_missing"
    CONTRACT_EXPIRED = "contract_expired"
    EMPTY_ORDER = "empty_order"
    UNKNOWN_PRODUCT = "unknown_product"
    PRODUCT_DISCONTINUED = "product_discontinued"
    UNKNOWN_UNIT = "unknown_unit"
    INVALID_QUANTITY = "invalid_quantity"
    CASE_PACK_VIOLATION = "case_pack_violation"
    BELOW_MINIMUM_QTY = "below_minimum_qty"
    NOT_AUTHORIZED_IN_TERRITORY = "not_authorized_in_territory"
    NO_APPLICABLE_PRICE = "no_applicable_price"
    PRICING_FAILED = "pricing_failed"
    INSUFFICIENT_STOCK = "insufficient_stock"
    CREDIT_LIMIT_EXCEEDED = "credit_limit_exceeded"
    # A step that could not run because one it depends on failed (e.g. no dealer).
    PREREQUISITE_FAILED = "prerequisite_failed"
    # Informational outcomes (ok=True): what happened, not what went wrong.
    PROMOTION_APPLIED = "promotion_applied"
    AUTO_APPROVED = "auto_approved"
    APPROVAL_REQUIRED = "approval_required"


class DomainError(HubError):
    """A business rule of the DMS core refuses the request.

    ``code`` is the :class:`ReasonCode`; ``checks`` holds every check of the pipeline run
    that produced the error (empty when raised outside a pipeline).
    """

    code: ClassVar[ReasonCode | None] = None

    def __init__(self, message: str, *, checks: Sequence[CheckResult] = ()) -> None:
        super().__init__(message)
        self.checks: tuple[CheckResult, ...] = tuple(checks)


class DealerNotFound(DomainError):
    """No live dealer has this code."""

    code = ReasonCode.DEALER_NOT_FOUND


class DealerInactive(DomainError):
    """The dealer is suspended or frozen."""

    code = ReasonCode.DEALER_INACTIVE


class InvalidShipTo(DomainError):
    """The ship-to is missing, unknown or not a valid region code."""

    code = ReasonCode.INVALID_SHIP_TO


class ShipToNotOwned(DomainError):
    """The ship-to location belongs to no dealer at or below the ordering dealer."""

    code = ReasonCode.SHIP_TO_NOT_OWNED


class QualificationMissing(DomainError):
    """A required qualification (licence, permit) is not on file."""

    code = ReasonCode.QUALIFICATION_MISSING


class QualificationExpired(DomainError):
    """A qualification on file expired before the order date."""

    code = ReasonCode.QUALIFICATION_EXPIRED


class QualificationNotYetValid(DomainError):
    """A qualification on file only becomes valid after the order date."""

    code = ReasonCode.QUALIFICATION_NOT_YET_VALID


class ContractMissing(DomainError):
    """The dealer needs a signed contract and has none (or it awaits signature)."""

    code = ReasonCode.CONTRACT_MISSING


class ContractExpired(DomainError):
    """The dealer's contract is not valid on the order date."""

    code = ReasonCode.CONTRACT_EXPIRED


class EmptyOrder(DomainError):
    """The order has no lines."""

    code = ReasonCode.EMPTY_ORDER


class ProductNotFound(DomainError):
    """A line names a SKU the catalogue does not know."""

    code = ReasonCode.UNKNOWN_PRODUCT


class ProductDiscontinued(DomainError):
    """A line names a discontinued SKU."""

    code = ReasonCode.PRODUCT_DISCONTINUED


class UnknownUnit(DomainError):
    """A line's unit has no conversion to the product's base unit."""

    code = ReasonCode.UNKNOWN_UNIT


class InvalidQuantity(DomainError):
    """A quantity is not a positive number of whole base units."""

    code = ReasonCode.INVALID_QUANTITY


class CasePackViolation(DomainError):
    """A quantity is not a multiple of the product's order multiple (case pack)."""

    code = ReasonCode.CASE_PACK_VIOLATION


class BelowMinimumQty(DomainError):
    """A quantity is below the product's minimum order quantity."""

    code = ReasonCode.BELOW_MINIMUM_QTY


class NotAuthorizedInTerritory(DomainError):
    """The dealer may not sell this product in the ship-to territory on the order date."""

    code = ReasonCode.NOT_AUTHORIZED_IN_TERRITORY


class PriceNotFound(DomainError):
    """No price list prices a line for this dealer on this date."""

    code = ReasonCode.NO_APPLICABLE_PRICE


class PricingFailed(DomainError):
    """The pricing engine could not quote the order (bad catalog data, wrong day)."""

    code = ReasonCode.PRICING_FAILED


class InsufficientStock(DomainError):
    """Not enough stock available to promise across the supplying warehouses."""

    code = ReasonCode.INSUFFICIENT_STOCK


class CreditLimitExceeded(DomainError):
    """Open receivables + unshipped open orders + this order exceed the dealer's credit limit."""

    code = ReasonCode.CREDIT_LIMIT_EXCEEDED


class OrderNotFound(DomainError):
    """No order has this number."""


class InvalidTransition(DomainError):
    """The order's status does not allow the requested action."""


class ShipmentMismatch(DomainError):
    """A shipment line does not fit the order's reservations (unknown line, too much, wrong place)."""


class AcceptanceMismatch(DomainError):
    """An accepted quantity is negative or larger than what was shipped."""


_BY_CODE: dict[ReasonCode, type[DomainError]] = {
    cls.code: cls
    for cls in (
        DealerNotFound,
        DealerInactive,
        InvalidShipTo,
        ShipToNotOwned,
        QualificationMissing,
        QualificationExpired,
        QualificationNotYetValid,
        ContractMissing,
        ContractExpired,
        EmptyOrder,
        ProductNotFound,
        ProductDiscontinued,
        UnknownUnit,
        InvalidQuantity,
        CasePackViolation,
        BelowMinimumQty,
        NotAuthorizedInTerritory,
        PriceNotFound,
        PricingFailed,
        InsufficientStock,
        CreditLimitExceeded,
    )
    if cls.code is not None
}


def error_for(code: ReasonCode | str, message: str, *, checks: Sequence[CheckResult] = ()) -> DomainError:
    """The typed error for a reason code (a plain :class:`DomainError` for a code without one)."""
    cls = _BY_CODE.get(ReasonCode(code), DomainError)
    return cls(message, checks=checks)
