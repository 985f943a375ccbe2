"""Resale price watch: record observed prices and raise ``price_violation`` alerts.

A price observation is a dealer's own report or a market check (store visit, e-commerce
listing) attributed to a dealer. It violates the guide price when it is *more than* the
configured margin below it: with the default 5 % margin and a guide price of 100.00,
95.00 is allowed and 94.99 is a violation (``price < guide × (1 − margin)``). Products
without a guide price are recorded but never checked.

Idempotency: an observation's id is a hash of what was observed (dealer, SKU, price,
currency, time, source, reference), so recording the same observation again stores
nothing and raises nothing. There is at most one *open* ``price_violation`` alert per
dealer × SKU: later violations are appended to its evidence (oldest first, each
observation once). Once the brand resolves or dismisses it, the next violation opens
a new alert.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from canonical_model.errors import HubError, ValidationError
from canonical_model.regions import validate_region_code
from canonical_model.tables import channel_alerts, dealers, price_observations, products, utcnow
from dms_core.channel.periods import BUSINESS_TZ

__all__ = [
    "OBSERVATION_SOURCES",
    "PriceObservation",
    "PriceWatchResult",
    "PriceWatchSettings",
    "is_violation",
    "observations_from_rows",
    "record_observations",
]

OBSERVATION_SOURCES = ("dealer_report", "market_check")


@dataclass(frozen=True, slots=True)
class PriceWatchSettings:
    """``margin``: how far below the guide price a resale price may go (0.05 = 5 %, inclusive)."""

    margin: Decimal = Decimal("0.05")

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.margin < Decimal(1):
            raise ValidationError(f"price margin must be within 0 and 1 (0.05 = 5 %), got {self.margin}")


@dataclass(frozen=True, slots=True)
class PriceObservation:
    """One resale price per base unit, seen at ``observed_at`` (timezone-aware)."""

    dealer_code: str
    sku: str
    price: Decimal
    observed_at: datetime
    source: str = "dealer_report"
    currency: str = "CNY"
    region_code: str | None = None
    reference: str | None = None

    def __post_init__(self) -> None:
        if self.source not in OBSERVATION_SOURCES:
            raise ValidationError(
                f"price source must be one of {', '.join(OBSERVATION_SOURCES)}, got {self.source!r}"
            )
        if not self.price.is_finite() or self.price <= 0:
            raise ValidationError(f"price must be a positive amount, got {self.price}")
        if self.observed_at.tzinfo is None:
            raise ValidationError(f"observed_at {self.observed_at.isoformat()} needs a timezone")
        if self.region_code is not None:
            validate_region_code(self.region_code)

    @property
    def observation_id(self) -> str:
        """Stable id from what was observed: the same observation always gets the same id."""
        parts = (
            self.dealer_code,
            self.sku,
            format(self.price.normalize(), "f"),
            self.currency,
            self.observed_at.astimezone(UTC).isoformat(),
            self.source,
            self.reference or "",
        )
        return "PO-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def is_violation(price: Decimal, guide_price: Decimal | None, settings: PriceWatchSettings) -> bool:
    """True if ``price`` is more than ``settings.margin`` below ``guide_price`` (exactly at it is allowed)."""
    if guide_price is None or guide_price <= 0:
        return False
    return price < guide_price * (Decimal(1) - settings.margin)


@dataclass
class PriceWatchResult:
    """What recording a batch did."""

    recorded: int = 0
    duplicates: int = 0
    violations: int = 0
    alerts_opened: list[str] = field(default_factory=list)
    alerts_updated: list[str] = field(default_factory=list)


def _evidence(obs: PriceObservation, guide: Decimal) -> dict[str, Any]:
    below = (guide - obs.price) / guide
    return {
        "observation_id": obs.observation_id,
        "price": str(obs.price),
        "guide_price": str(guide),
        "below_guide": format(below.quantize(Decimal("0.0001")), "f"),
        "currency": obs.currency,
        "observed_at": obs.observed_at.isoformat(),
        "source": obs.source,
        "reference": obs.reference,
        "region_code": obs.region_code,
    }


_LINEAGE = {"source_system": "dms.price_watch"}
_CSV_FIELDS = ("dealer_code", "sku", "price", "observed_at")


def _reference_data(
    conn: sa.Connection, batch: Sequence[PriceObservation]
) -> dict[str, tuple[Decimal | None, str]]:
    codes = sorted({o.dealer_code for o in batch})
    skus = sorted({o.sku for o in batch})
    known = set(
        conn.execute(
            sa.select(dealers.c.code).where(dealers.c.code.in_(codes), dealers.c.deleted_at.is_(None))
        ).scalars()
    )
    catalog = {
        r.sku: (r.guide_price, r.currency)
        for r in conn.execute(
            sa.select(products.c.sku, products.c.guide_price, products.c.currency).where(
                products.c.sku.in_(skus), products.c.deleted_at.is_(None)
            )
        )
    }
    problems = [f"unknown dealer {c}" for c in codes if c not in known]
    problems += [f"unknown product {s}" for s in skus if s not in catalog]
    problems += sorted(
        {
            f"{o.sku} is priced in {catalog[o.sku][1]}, the observation in {o.currency}"
            for o in batch
            if o.sku in catalog and catalog[o.sku][1] != o.currency
        }
    )
    if problems:
        raise ValidationError("price observations rejected: " + "; ".join(problems))
    return catalog


def _observation_row(obs: PriceObservation) -> dict[str, Any]:
    return {
        "observation_id": obs.observation_id,
        "dealer_code": obs.dealer_code,
        "sku": obs.sku,
        "price": obs.price,
        "currency": obs.currency,
        "observed_at": obs.observed_at,
        "source": obs.source,
        "region_code": obs.region_code,
        "reference": obs.reference,
        **_LINEAGE,
    }


def _raise_or_extend(
    conn: sa.Connection,
    dealer: str,
    sku: str,
    found: list[dict[str, Any]],
    guide: Decimal,
    settings: PriceWatchSettings,
    result: PriceWatchResult,
) -> None:
    a = channel_alerts
    # The dealer row lock serialises concurrent reports for one dealer, so two batches
    # never both open an alert for the same dealer × SKU.
    conn.execute(sa.select(dealers.c.code).where(dealers.c.code == dealer).with_for_update())
    current = conn.execute(
        sa.select(a.c.alert_id, a.c.evidence)
        .where(a.c.kind == "price_violation", a.c.status == "open", a.c.dealer_code == dealer, a.c.sku == sku)
        .order_by(a.c.raised_at)
        .limit(1)
    ).first()
    evidence: list[dict[str, Any]] = list(current.evidence) if current is not None else []
    seen = {e["observation_id"] for e in evidence}
    evidence += [e for e in found if e["observation_id"] not in seen]
    evidence.sort(key=lambda e: (datetime.fromisoformat(e["observed_at"]), e["observation_id"]))
    details = {
        "guide_price": str(guide),
        "margin": str(settings.margin),
        "lowest_price": str(min(Decimal(e["price"]) for e in evidence)),
        "observations": len(evidence),
    }
    if current is None:
        alert_id = (
            "PV-"
            + hashlib.sha256(f"{dealer}\x1f{sku}\x1f{evidence[0]['observation_id']}".encode()).hexdigest()[
                :32
            ]
        )
        conn.execute(
            a.insert().values(
                alert_id=alert_id,
                kind="price_violation",
                status="open",
                dealer_code=dealer,
                sku=sku,
                region_code=evidence[0]["region_code"],
                evidence=evidence,
                details=details,
                raised_at=utcnow(),
                **_LINEAGE,
            )
        )
        result.alerts_opened.append(alert_id)
    elif len(evidence) > len(seen):
        conn.execute(
            a.update().where(a.c.alert_id == current.alert_id).values(evidence=evidence, details=details)
        )
        result.alerts_updated.append(current.alert_id)


def record_observations(
    conn: sa.Connection, observations: Iterable[PriceObservation], settings: PriceWatchSettings | None = None
) -> PriceWatchResult:
    """Store new observations and raise or extend ``price_violation`` alerts, in the caller's transaction.

    All-or-nothing: an unknown dealer or product, or a currency other than the product's,
    rejects the batch with a :class:`ValidationError` naming every problem.
    """
    settings = settings or PriceWatchSettings()
    result = PriceWatchResult()
    batch: dict[str, PriceObservation] = {}
    for obs in observations:
        if obs.observation_id in batch:
            result.duplicates += 1
        else:
            batch[obs.observation_id] = obs
    if not batch:
        return result
    catalog = _reference_data(conn, list(batch.values()))
    stored = set(
        conn.execute(
            sa.select(price_observations.c.observation_id).where(
                price_observations.c.observation_id.in_(sorted(batch))
            )
        ).scalars()
    )
    new = [o for i, o in batch.items() if i not in stored]
    result.duplicates += len(batch) - len(new)
    if not new:
        return result
    conn.execute(price_observations.insert(), [_observation_row(o) for o in new])
    result.recorded = len(new)
    violating: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for obs in new:
        guide = catalog[obs.sku][0]
        if guide is not None and is_violation(obs.price, guide, settings):
            violating.setdefault((obs.dealer_code, obs.sku), []).append(_evidence(obs, guide))
    result.violations = sum(len(v) for v in violating.values())
    for (dealer, sku), found in sorted(violating.items()):
        guide = catalog[sku][0]
        assert guide is not None  # only priced products reach here
        _raise_or_extend(conn, dealer, sku, found, guide, settings, result)
    return result


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    # A spreadsheet rarely carries an offset: a naive time is the channel's local time.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=BUSINESS_TZ)


def observations_from_rows(rows: Iterable[Mapping[str, str | None]]) -> list[PriceObservation]:
    """Observations from CSV-like rows (``csv.DictReader``), every bad row reported by number.

    Columns: ``dealer_code``, ``sku``, ``price``, ``observed_at`` (ISO 8601; without an
    offset it is China Standard Time) and optional ``source`` (default ``dealer_report``),
    ``currency`` (default CNY), ``region_code``, ``reference``.
    """
    found: list[PriceObservation] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        value = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        missing = [f for f in _CSV_FIELDS if not value.get(f)]
        if missing:
            problems.append(f"row {number}: missing {', '.join(missing)}")
            continue
        try:
            found.append(
                PriceObservation(
                    dealer_code=value["dealer_code"],
                    sku=value["sku"],
                    price=Decimal(value["price"]),
                    observed_at=_parse_time(value["observed_at"]),
                    source=value.get("source") or "dealer_report",
                    currency=value.get("currency") or "CNY",
                    region_code=value.get("region_code") or None,
                    reference=value.get("reference") or None,
                )
            )
        except InvalidOperation:
            problems.append(f"row {number}: price {value['price']!r} is not a number")
        except (ValueError, HubError) as exc:  # bad timestamps and rule violations alike
            problems.append(f"row {number}: {exc}")
    if problems:
        raise ValidationError("price report rejected: " + "; ".join(problems[:20]))
    return found
