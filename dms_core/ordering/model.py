"""The ordering service's inputs and outputs: requests, check results, allocations, outcomes.

Plain frozen dataclasses. Quantities are ``Decimal``; a requested quantity is kept as the
caller gave it (number or text) until the pipeline converts it, so a bad quantity is
reported as a check result with its line number instead of failing the whole request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from canonical_model.errors import ValidationError
from dms_core.ordering.errors import ReasonCode, error_for
from dms_core.pricing import Quote

__all__ = [
    "Allocation",
    "CheckResult",
    "OrderLineRequest",
    "OrderOutcome",
    "OrderRequest",
    "ShipmentLine",
    "Transitioned",
]


@dataclass(frozen=True, slots=True)
class OrderLineRequest:
    """One requested line: ``qty`` of ``sku`` in ``unit`` (``None``: the product's base unit)."""

    sku: str
    qty: Decimal | int | str
    unit: str | None = None


LineInput = OrderLineRequest | tuple[str, Decimal | int | str] | tuple[str, Decimal | int | str, str | None]


def _line(value: LineInput) -> OrderLineRequest:
    if isinstance(value, OrderLineRequest):
        return value
    return OrderLineRequest(*value)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRequest:
    """A dealer's order as submitted (by the portal, the API, an import or a reorder).

    Give exactly one of ``ship_to_location_code`` (a location of the dealer or a dealer
    below it) and ``ship_to_region_code`` (six-digit GB/T 2260). ``lines`` accepts
    :class:`OrderLineRequest` or ``(sku, qty[, unit])`` tuples. ``idempotency_key`` makes
    resubmission safe: the same ``(dealer_code, idempotency_key)`` returns the first order.
    """

    dealer_code: str
    lines: tuple[OrderLineRequest, ...]
    order_date: date
    ship_to_location_code: str | None = None
    ship_to_region_code: str | None = None
    idempotency_key: str | None = None
    requested_delivery_date: date | None = None
    created_by: str | None = None
    origin: str = "dms"

    def __init__(
        self,
        *,
        dealer_code: str,
        lines: Iterable[LineInput],
        order_date: date,
        ship_to_location_code: str | None = None,
        ship_to_region_code: str | None = None,
        idempotency_key: str | None = None,
        requested_delivery_date: date | None = None,
        created_by: str | None = None,
        origin: str = "dms",
    ) -> None:
        for what, value, limit in (("idempotency key", idempotency_key, 128), ("created_by", created_by, 64)):
            if value is not None and len(value) > limit:
                raise ValidationError(f"{what} is longer than {limit} characters")
        object.__setattr__(self, "dealer_code", dealer_code)
        object.__setattr__(self, "lines", tuple(_line(line) for line in lines))
        object.__setattr__(self, "order_date", order_date)
        object.__setattr__(self, "ship_to_location_code", ship_to_location_code)
        object.__setattr__(self, "ship_to_region_code", ship_to_region_code)
        object.__setattr__(self, "idempotency_key", idempotency_key)
        object.__setattr__(self, "requested_delivery_date", requested_delivery_date)
        object.__setattr__(self, "created_by", created_by)
        object.__setattr__(self, "origin", origin)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (kept in ``orders.validation`` so a rejection shows what was asked)."""
        return {
            "dealer_code": self.dealer_code,
            "ship_to_location_code": self.ship_to_location_code,
            "ship_to_region_code": self.ship_to_region_code,
            "idempotency_key": self.idempotency_key,
            "order_date": self.order_date.isoformat(),
            "requested_delivery_date": (
                None if self.requested_delivery_date is None else self.requested_delivery_date.isoformat()
            ),
            "created_by": self.created_by,
            "origin": self.origin,
            "lines": [
                {"line_no": n, "sku": line.sku, "qty": str(line.qty), "unit": line.unit}
                for n, line in enumerate(self.lines, start=1)
            ],
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one validation step (for one line when ``line_no`` is set).

    ``ok`` is false for a failure and for a step skipped because a prerequisite failed
    (``reason_code`` ``prerequisite_failed``). Passing steps carry ``reason_code`` ``None``
    or an informational code (``auto_approved``, ``promotion_applied``, ...).
    """

    step: str
    ok: bool
    reason_code: ReasonCode | None
    message: str
    line_no: int | None = None

    @property
    def skipped(self) -> bool:
        """True when the step did not run because an earlier one failed."""
        return self.reason_code is ReasonCode.PREREQUISITE_FAILED

    @property
    def failed(self) -> bool:
        """True for a real failure (not a skip)."""
        return not self.ok and not self.skipped

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "step": self.step,
            "ok": self.ok,
            "reason_code": None if self.reason_code is None else self.reason_code.value,
            "message": self.message,
            "line_no": self.line_no,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckResult:
        """Inverse of :meth:`as_dict`."""
        code = data.get("reason_code")
        return cls(
            step=str(data["step"]),
            ok=bool(data["ok"]),
            reason_code=None if code is None else ReasonCode(code),
            message=str(data.get("message", "")),
            line_no=data.get("line_no"),
        )


@dataclass(frozen=True, slots=True)
class Allocation:
    """``qty`` base units of order line ``line_no`` reserved at ``location_code`` from ``lot``."""

    line_no: int
    sku: str
    location_code: str
    lot: str
    qty: Decimal


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    """What ``place_order`` did: the order (``None`` if it could not be stored), status and why.

    ``replayed`` is true when an earlier order with the same idempotency key was returned;
    such an outcome has no live ``quote`` (its explanation is in ``pricing``).
    """

    order_no: str | None
    status: str
    validation: tuple[CheckResult, ...]
    quote: Quote | None = None
    allocations: tuple[Allocation, ...] = ()
    replayed: bool = False
    pricing: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """The checks that failed (skips excluded)."""
        return tuple(c for c in self.validation if c.failed)

    @property
    def reasons(self) -> tuple[ReasonCode, ...]:
        """Reason codes of the failures, in pipeline order, without duplicates."""
        codes = [c.reason_code for c in self.failures if c.reason_code is not None]
        return tuple(dict.fromkeys(codes))

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return not self.failures

    def raise_for_status(self) -> OrderOutcome:
        """Raise the typed error of the first failure (all checks attached); return self if none."""
        failures = self.failures
        code = failures[0].reason_code if failures else None
        if code is not None:
            more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
            raise error_for(code, failures[0].message + more, checks=self.validation)
        return self


@dataclass(frozen=True, slots=True)
class ShipmentLine:
    """``qty`` base units of order line ``line_no`` shipped, optionally from one location/lot."""

    line_no: int
    qty: Decimal
    location_code: str | None = None
    lot: str | None = None


@dataclass(frozen=True, slots=True)
class Transitioned:
    """The result of a life-cycle operation on an existing order."""

    order_no: str
    from_status: str
    status: str
    allocations: tuple[Allocation, ...] = ()
