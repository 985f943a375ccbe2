"""What the pipeline knows about the ordering dealer, read fresh (and locked) per order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = ["AuthorizationInfo", "ContractInfo", "Dealer", "DealerFacts", "QualificationInfo", "valid_on"]


@dataclass(frozen=True, slots=True)
class Dealer:
    """The dealer row as locked for this order."""

    code: str
    level: int
    status: str
    grade: str | None
    region_code: str | None
    credit_limit: Decimal
    currency: str
    contract_required: bool


@dataclass(frozen=True, slots=True)
class QualificationInfo:
    """A licence or permit on file."""

    kind: str
    valid_from: date | None
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class ContractInfo:
    """A contract of the dealer and its e-signature status."""

    contract_no: str
    status: str
    valid_from: date | None
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class AuthorizationInfo:
    """Permission to sell a product line (or one product) in a region (prefix owner) for a period."""

    scope_type: str
    scope_code: str
    region_code: str
    valid_from: date | None
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class DealerFacts:
    """Qualifications, contracts and authorizations of one dealer."""

    qualifications: tuple[QualificationInfo, ...] = ()
    contracts: tuple[ContractInfo, ...] = ()
    authorizations: tuple[AuthorizationInfo, ...] = ()


def valid_on(valid_from: date | None, valid_until: date | None, day: date) -> bool:
    """True if ``day`` lies in the window; an open end (``None``) is unbounded."""
    return (valid_from is None or valid_from <= day) and (valid_until is None or day <= valid_until)
