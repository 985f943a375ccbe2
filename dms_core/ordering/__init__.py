"""The DMS Hub ordering service: validate, price, allocate, check credit, approve and track orders.

Usage::

    settings = OrderingSettings()                      # once per process: it caches catalogs
    outcome = place_order(engine, OrderRequest(
        dealer_code="D1-001", ship_to_region_code="330106", order_date=today,
        lines=[("SKU-10001", 2, "CS"), ("SKU-10050", 12)], idempotency_key="portal-123",
    ), settings=settings)
    outcome.status, outcome.reasons, outcome.quote, outcome.allocations
    approve(engine, order_no, settings=settings, actor="sales.li")
    ship(engine, order_no, [ShipmentLine(1, Decimal(48))], actor="wms")

Decisions:

- Every validation step runs and reports (one :class:`CheckResult` per problem, with
  the line number), unless its prerequisite failed.
- Credit is never skippable. Failing only on credit puts the order ``on_hold`` (it holds
  no stock); any other failure ``rejected``, stored with the validation JSON. Every
  path that makes an order count against the limit re-checks it under the dealer lock.
- Auto-approval by grade and amount → reservations and the ERP outbox message at once;
  the order ends ``allocated`` (history: submitted → approved → allocated).
- Stock: all-or-nothing allocation per order, split across warehouses only when no
  single warehouse covers a line; reservations and ``stock_levels.reserved`` change in
  the same statements batch (:func:`check_reservation_invariant`).
- Idempotency per ``(dealer_code, idempotency_key)``, concurrency-safe.
- Bulk import (:func:`import_orders`): all-or-nothing per file.
- Many orders at once (:func:`place_orders`): the same decisions, 500 per transaction.
"""

from __future__ import annotations

from dms_core.ordering.allocation import Demand, Shortage, StockRow, allocate, rank_locations
from dms_core.ordering.batching import place_orders
from dms_core.ordering.credit import Exposure, read_exposure
from dms_core.ordering.errors import (
    AcceptanceMismatch,
    BelowMinimumQty,
    CasePackViolation,
    ContractExpired,
    ContractMissing,
    CreditLimitExceeded,
    DealerInactive,
    DealerNotFound,
    DomainError,
    EmptyOrder,
    InsufficientStock,
    InvalidQuantity,
    InvalidShipTo,
    InvalidTransition,
    NotAuthorizedInTerritory,
    OrderNotFound,
    PriceNotFound,
    PricingFailed,
    ProductDiscontinued,
    ProductNotFound,
    QualificationExpired,
    QualificationMissing,
    QualificationNotYetValid,
    ReasonCode,
    ShipmentMismatch,
    ShipToNotOwned,
    UnknownUnit,
    error_for,
)
from dms_core.ordering.fulfilment import accept, close, deliver, ship
from dms_core.ordering.importing import ImportResult, RowError, import_orders
from dms_core.ordering.lifecycle import TRANSITION_TABLE, TRANSITIONS, Transition, allowed_actions, target_of
from dms_core.ordering.model import (
    Allocation,
    CheckResult,
    OrderLineRequest,
    OrderOutcome,
    OrderRequest,
    ShipmentLine,
    Transitioned,
)
from dms_core.ordering.placing import place_order, reorder
from dms_core.ordering.ports import (
    LocationInfo,
    OrderNumbers,
    ProductInfo,
    RandomOrderNumbers,
    ReferenceData,
    ReferenceSource,
)
from dms_core.ordering.reference import CachedReference, load_reference
from dms_core.ordering.service import approve, cancel, hold, mark_released, reject, release_hold
from dms_core.ordering.settings import DEFAULT_AUTO_APPROVAL_LIMITS, OrderingSettings, WarehouseStrategy
from dms_core.ordering.stock import ReservationDrift, check_reservation_invariant

__all__ = [
    "DEFAULT_AUTO_APPROVAL_LIMITS",
    "TRANSITIONS",
    "TRANSITION_TABLE",
    "AcceptanceMismatch",
    "Allocation",
    "BelowMinimumQty",
    "CachedReference",
    "CasePackViolation",
    "CheckResult",
    "ContractExpired",
    "ContractMissing",
    "CreditLimitExceeded",
    "DealerInactive",
    "DealerNotFound",
    "Demand",
    "DomainError",
    "EmptyOrder",
    "Exposure",
    "ImportResult",
    "InsufficientStock",
    "InvalidQuantity",
    "InvalidShipTo",
    "InvalidTransition",
    "LocationInfo",
    "NotAuthorizedInTerritory",
    "OrderLineRequest",
    "OrderNotFound",
    "OrderNumbers",
    "OrderOutcome",
    "OrderRequest",
    "OrderingSettings",
    "PriceNotFound",
    "PricingFailed",
    "ProductDiscontinued",
    "ProductInfo",
    "ProductNotFound",
    "QualificationExpired",
    "QualificationMissing",
    "QualificationNotYetValid",
    "RandomOrderNumbers",
    "ReasonCode",
    "ReferenceData",
    "ReferenceSource",
    "ReservationDrift",
    "RowError",
    "ShipToNotOwned",
    "ShipmentLine",
    "ShipmentMismatch",
    "Shortage",
    "StockRow",
    "Transition",
    "Transitioned",
    "UnknownUnit",
    "WarehouseStrategy",
    "accept",
    "allocate",
    "allowed_actions",
    "approve",
    "cancel",
    "check_reservation_invariant",
    "close",
    "deliver",
    "error_for",
    "hold",
    "import_orders",
    "load_reference",
    "mark_released",
    "place_order",
    "place_orders",
    "rank_locations",
    "read_exposure",
    "reject",
    "release_hold",
    "reorder",
    "ship",
    "target_of",
]
