"""Draft replenishment orders through the normal ordering pipeline, and the ``stock_health`` rows.

The pipeline has no way to *create* an order in status ``draft`` (``place_order`` always
submits), so a replenishment draft is an order placed with auto-approval switched off: it
is validated, priced and credit-checked like any order and waits in ``pending_approval``
for a person, holding no stock. One order per dealer and day (idempotency key
``replenishment:<day>``), lines in whole cases.

Credit is respected, never forced: an order the pipeline would put ``on_hold`` (credit) or
``rejected`` (any other check) is rolled back and reported with its reasons; it is not
shrunk to fit the limit. A dealer's whole draft is refused when one line is (e.g. a SKU it
is not authorised for) — the reasons name the line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from canonical_model.store.merge import merge_rows
from canonical_model.tables import dealers, locations, stock_health
from dms_core.ordering import OrderingSettings, OrderLineRequest, OrderRequest, place_order
from dms_core.replenishment.health import Assessment, assess
from dms_core.replenishment.policy import ReplenishmentPolicy
from dms_core.replenishment.positions import DEALER_LOCATION_KINDS, read_positions

__all__ = ["DraftRefused", "ReplenishmentResult", "idempotency_key", "run_replenishment"]

ACTOR = "replenishment"


@dataclass(frozen=True, slots=True)
class DraftRefused:
    """A dealer's draft the ordering pipeline refused: the status it would have had and why."""

    dealer_code: str
    status: str
    reasons: tuple[str, ...]


@dataclass
class ReplenishmentResult:
    """One run: every assessment, the drafts placed (dealer → order) and the ones refused."""

    as_of: date
    assessments: list[Assessment] = field(default_factory=list)
    drafts: dict[str, str] = field(default_factory=dict)
    refused: list[DraftRefused] = field(default_factory=list)


def idempotency_key(as_of: date) -> str:
    """The key of the replenishment draft of ``as_of`` (one per dealer and day)."""
    return f"{ACTOR}:{as_of.isoformat()}"


def run_replenishment(
    engine: sa.Engine,
    as_of: date,
    *,
    settings: OrderingSettings,
    policy: ReplenishmentPolicy | None = None,
    dealer_codes: Collection[str] | None = None,
    draft: bool = True,
) -> ReplenishmentResult:
    """Assess every dealer × SKU, draft the suggested orders (``draft``) and store ``stock_health``.

    Running it again for the same day changes nothing: the drafts are found again by their
    idempotency key and the rows are upserted on (dealer, SKU, day).
    """
    policy = policy or ReplenishmentPolicy()
    key = idempotency_key(as_of)
    with engine.connect() as conn:
        positions = read_positions(conn, as_of, policy, dealer_codes=dealer_codes, ignore_key=key)
    result = ReplenishmentResult(as_of, [assess(p, policy, as_of) for p in positions])
    if draft:
        drafting = dataclasses.replace(settings, auto_approval_limits={})
        by_dealer: dict[str, list[Assessment]] = {}
        for a in result.assessments:
            if a.suggested_qty > 0:
                by_dealer.setdefault(a.position.dealer_code, []).append(a)
        for dealer, wanted in by_dealer.items():
            _draft(engine, result, dealer, wanted, as_of, key, drafting)
    with engine.begin() as conn:
        merge_rows(conn, stock_health, _rows(result), lineage={"source_system": ACTOR})
    return result


def _draft(
    engine: sa.Engine,
    result: ReplenishmentResult,
    dealer: str,
    wanted: Sequence[Assessment],
    as_of: date,
    key: str,
    settings: OrderingSettings,
) -> None:
    with engine.connect() as conn:
        location, region = _ship_to(conn, dealer)
    request = OrderRequest(
        dealer_code=dealer,
        lines=[OrderLineRequest(a.position.sku, a.suggested_qty) for a in wanted],
        order_date=as_of,
        ship_to_location_code=location,
        ship_to_region_code=None if location else region,
        idempotency_key=key,
        created_by=ACTOR,
        origin=ACTOR,
    )
    # Placed and, unless it is a draft to keep, rolled back: a refused draft leaves no order.
    with engine.connect() as conn, conn.begin() as tx:
        outcome = place_order(conn, request, settings=settings)
        if outcome.order_no is not None and (outcome.replayed or outcome.status == "pending_approval"):
            result.drafts[dealer] = outcome.order_no
            return
        tx.rollback()
    reasons = tuple(c.message for c in outcome.failures)
    result.refused.append(DraftRefused(dealer, outcome.status, reasons))


def _ship_to(conn: sa.Connection, dealer: str) -> tuple[str | None, str | None]:
    """The dealer's own warehouse (first by code), else its region."""
    location = conn.execute(
        sa.select(locations.c.code)
        .where(
            locations.c.owner_dealer_code == dealer,
            locations.c.kind.in_(DEALER_LOCATION_KINDS),
            locations.c.deleted_at.is_(None),
        )
        .order_by(locations.c.kind, locations.c.code)
        .limit(1)
    ).scalar()
    region = conn.execute(sa.select(dealers.c.region_code).where(dealers.c.code == dealer)).scalar()
    return location, region


def _rows(result: ReplenishmentResult) -> list[dict[str, Any]]:
    return [
        {
            "dealer_code": a.position.dealer_code,
            "sku": a.position.sku,
            "as_of": result.as_of,
            "on_hand": a.position.on_hand,
            "avg_daily_sell_through": a.avg_daily_sell_through,
            "safety_stock": a.safety_stock,
            "suggested_qty": a.suggested_qty,
            "flags": list(a.flags),
            "draft_order_no": result.drafts.get(a.position.dealer_code) if a.suggested_qty > 0 else None,
        }
        for a in result.assessments
    ]
