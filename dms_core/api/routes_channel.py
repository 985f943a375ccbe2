"""Channel control over HTTP: resale price reports, rebate statements, delivery reconciliation, health.

- ``POST /price-reports``: observed resale prices → stored observations and any
  ``price_violation`` alerts (:mod:`dms_core.channel.price_watch`). A dealer key reports
  for itself and its subtree (source ``dealer_report``); a brand key reports market checks
  (source ``market_check``) for any dealer. All or nothing: one bad observation refuses the
  request with a 422 naming it, and nothing is stored. Observations are idempotent (their id
  is a content hash): a resent report answers ``200`` with nothing recorded, a new one ``201``.
- ``GET /rebates/{dealer_code}/{period}``: the dealer's accruals with their statement lines.
- ``GET /reconciliation/{dealer_code}/{period}``: shipped vs accepted per delivery (对账).
- ``GET /dealers/{dealer_code}/health``: the latest A/B/C grade and its components.

A dealer outside the caller's subtree is a 404, as everywhere in the API; a period that
is not ``YYYY-MM`` is a 422. The services compute; these routes only scope and shape.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Response
from pydantic import AwareDatetime, BaseModel, Field, field_validator

from canonical_model.errors import HubError, ValidationError
from canonical_model.store.hierarchy import subtree_codes
from canonical_model.tables import dealer_health, dealers
from dms_core.api.auth import Principal
from dms_core.api.deps import Caller, Conn, require_dealer_access
from dms_core.api.errors import ApiError
from dms_core.channel import (
    DeliveryCheck,
    Period,
    PriceObservation,
    rebate_statements,
    reconcile_deliveries,
    record_observations,
    report_rows,
)
from dms_core.tracing import list_alerts

__all__ = ["router"]

router = APIRouter(tags=["channel"])

TEXT = r"^[^\x00]+$"
MAX_OBSERVATIONS = 1_000
# A handheld's clock may run a little ahead; anything further is a typo, not an observation.
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)

DealerCode = Annotated[str, Path(min_length=1, max_length=32, pattern=TEXT)]
PeriodKey = Annotated[str, Path(description="A calendar month, YYYY-MM (e.g. 2026-11)")]


class PriceObservationIn(BaseModel):
    dealer_code: str = Field(min_length=1, max_length=32, pattern=TEXT, description="Who sold at this price")
    sku: str = Field(min_length=1, max_length=40, pattern=TEXT)
    price: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4, description="Per base unit")]
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$", description="ISO 4217; the product's own")
    observed_at: AwareDatetime = Field(description="When it was seen, with a time-zone offset")
    region_code: str | None = Field(default=None, pattern=r"^[0-9]{6}$", description="Where it was seen")
    reference: str | None = Field(
        default=None, min_length=1, max_length=500, pattern=TEXT, description="Shop, URL or report number"
    )

    @field_validator("observed_at")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        try:
            moment = value.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+08:00 has no UTC form
            raise ValueError("is out of range") from None
        if moment < EARLIEST:
            raise ValueError(f"must be after {EARLIEST.date().isoformat()}")
        if moment > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("is in the future")
        return value


class PriceReportIn(BaseModel):
    observations: list[PriceObservationIn] = Field(min_length=1, max_length=MAX_OBSERVATIONS)


class RecordedOut(BaseModel):
    observation_id: str
    dealer_code: str
    sku: str
    price: str
    currency: str
    observed_at: str
    source: str
    region_code: str | None
    reference: str | None


class PriceReportOut(BaseModel):
    recorded: int = Field(description="Observations stored by this request")
    duplicates: int = Field(description="Observations already stored (or repeated in the request)")
    violations: int = Field(description="Recorded observations more than the margin below the guide price")
    observations: list[RecordedOut]
    alerts: list[dict[str, Any]] = Field(
        description="The price_violation alerts opened or extended, as GET /alerts shows them"
    )


class StatementLineOut(BaseModel):
    line_no: int
    source_kind: str
    source_ref: str
    sku: str | None
    qty: str | None
    amount: str | None


class StatementOut(BaseModel):
    program_code: str
    program_name: str
    dealer_code: str
    period: str
    status: str
    basis_amount: str
    rebate_amount: str
    calculation: dict[str, Any] | None
    lines: list[StatementLineOut]


class RebatesOut(BaseModel):
    dealer_code: str
    period: str
    rebate_total: str
    statements: list[StatementOut]


class LineCheckOut(BaseModel):
    sku: str
    shipped_qty: str
    accepted_qty: str | None
    difference: str | None
    status: str


class DeliveryOut(BaseModel):
    shipment_no: str
    order_no: str
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    ok: bool
    signed: bool
    lines: list[LineCheckOut]
    shipped_codes: int
    received_codes: int
    receipt_scanned: bool
    no_receipt_scan: bool
    missing_codes: list[str]
    extra_codes: list[str]


class ReconciliationOut(BaseModel):
    dealer_code: str
    period: str
    deliveries: list[DeliveryOut]
    discrepancies: list[dict[str, str]] = Field(description="One row per discrepancy, as the CSV report")


class HealthOut(BaseModel):
    dealer_code: str
    period: str
    grade: str
    score: str
    components: dict[str, Any]
    computed_at: datetime


def _number(value: Decimal) -> str:
    """48.0000 → "48": quantities as a person reads them (as the CSV report writes them)."""
    return format(value.normalize(), "f")


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValidationError as exc:
        raise ApiError(422, "invalid_period", str(exc)) from None


def _visible_dealer(conn: sa.Connection, caller: Principal, code: str) -> None:
    """404 for a dealer outside the caller's subtree, and for one that does not exist (same answer)."""
    require_dealer_access(conn, caller, code)
    found = conn.execute(
        sa.select(dealers.c.code).where(dealers.c.code == code, dealers.c.deleted_at.is_(None))
    ).first()
    if found is None:
        raise ApiError(404, "not_found", f"dealer {code} not found")


def _observations(conn: sa.Connection, caller: Principal, body: PriceReportIn) -> list[PriceObservation]:
    if not caller.is_brand:
        assert caller.dealer_code is not None
        reported = {o.dealer_code for o in body.observations}
        hidden = sorted(reported - set(subtree_codes(conn, caller.dealer_code)))
        if hidden:
            raise ApiError(404, "not_found", f"dealer {hidden[0]} not found")
    source = "market_check" if caller.is_brand else "dealer_report"
    found = []
    for index, item in enumerate(body.observations):
        try:
            found.append(PriceObservation(**item.model_dump(), source=source))
        except HubError as exc:  # the service's own rules (e.g. an unknown region code)
            raise ApiError(422, "invalid_request", f"observations.{index}: {exc}") from None
    return found


@router.post(
    "/price-reports",
    response_model=PriceReportOut,
    status_code=201,
    summary="Report observed resale prices (all or nothing); violations raise alerts",
    responses={200: {"description": "Every observation was already recorded: nothing new"}},
)
def post_price_report(body: PriceReportIn, response: Response, conn: Conn, caller: Caller) -> PriceReportOut:
    observations = _observations(conn, caller, body)
    result = record_observations(conn, observations)
    if result.recorded == 0:
        response.status_code = 200
    raised = [*result.alerts_opened, *result.alerts_updated]
    return PriceReportOut(
        recorded=result.recorded,
        duplicates=result.duplicates,
        violations=result.violations,
        observations=[
            RecordedOut(
                observation_id=o.observation_id,
                dealer_code=o.dealer_code,
                sku=o.sku,
                price=str(o.price),
                currency=o.currency,
                observed_at=o.observed_at.isoformat(),
                source=o.source,
                region_code=o.region_code,
                reference=o.reference,
            )
            for o in observations
        ],
        alerts=[alert for alert_id in raised for alert in list_alerts(conn, alert_id=alert_id)],
    )


@router.get(
    "/rebates/{dealer_code}/{period}",
    response_model=RebatesOut,
    summary="A dealer's rebate accruals for a month, each with the lines that produced it",
)
def get_rebates(dealer_code: DealerCode, period: PeriodKey, conn: Conn, caller: Caller) -> RebatesOut:
    month = _period(period)
    _visible_dealer(conn, caller, dealer_code)
    statements = rebate_statements(conn, dealer_code, month)
    total = sum((s.rebate_amount for s in statements), Decimal(0))
    return RebatesOut(
        dealer_code=dealer_code,
        period=str(month),
        rebate_total=str(total),
        statements=[StatementOut.model_validate(s.as_dict()) for s in statements],
    )


def _delivery(check: DeliveryCheck) -> DeliveryOut:
    return DeliveryOut(
        shipment_no=check.shipment_no,
        order_no=check.order_no,
        status=check.status,
        shipped_at=check.shipped_at,
        delivered_at=check.delivered_at,
        ok=check.ok,
        signed=check.signed,
        lines=[
            LineCheckOut(
                sku=line.sku,
                shipped_qty=_number(line.shipped_qty),
                accepted_qty=None if line.accepted_qty is None else _number(line.accepted_qty),
                difference=None if line.difference is None else _number(line.difference),
                status=line.status,
            )
            for line in check.lines
        ],
        shipped_codes=check.shipped_codes,
        received_codes=check.received_codes,
        receipt_scanned=check.receipt_scanned,
        no_receipt_scan=check.no_receipt_scan,
        missing_codes=list(check.missing_codes),
        extra_codes=list(check.extra_codes),
    )


@router.get(
    "/reconciliation/{dealer_code}/{period}",
    response_model=ReconciliationOut,
    summary="Shipped vs accepted quantities and codes per delivery of a month (对账)",
)
def get_reconciliation(
    dealer_code: DealerCode, period: PeriodKey, conn: Conn, caller: Caller
) -> ReconciliationOut:
    month = _period(period)
    _visible_dealer(conn, caller, dealer_code)
    report = reconcile_deliveries(conn, dealer_code, month)
    return ReconciliationOut(
        dealer_code=report.dealer_code,
        period=report.period,
        deliveries=[_delivery(d) for d in report.deliveries],
        discrepancies=report_rows(report),
    )


@router.get(
    "/dealers/{dealer_code}/health",
    response_model=HealthOut,
    summary="A dealer's latest A/B/C health grade and the components behind it",
    responses={404: {"description": "Dealer not visible, or never graded (code not_graded)"}},
)
def get_health(dealer_code: DealerCode, conn: Conn, caller: Caller) -> HealthOut:
    _visible_dealer(conn, caller, dealer_code)
    row = conn.execute(
        sa.select(dealer_health)
        .where(dealer_health.c.dealer_code == dealer_code, dealer_health.c.deleted_at.is_(None))
        .order_by(dealer_health.c.period.desc())
        .limit(1)
    ).first()
    if row is None:
        raise ApiError(404, "not_graded", f"dealer {dealer_code} has no health grade yet")
    return HealthOut(
        dealer_code=row.dealer_code,
        period=row.period,
        grade=row.grade,
        score=str(row.score),
        components=row.components,
        computed_at=row.computed_at,
    )
