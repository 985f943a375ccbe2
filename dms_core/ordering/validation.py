"""The validation steps of the ordering pipeline, pure functions over already-read facts.

Each step returns :class:`CheckResult`s: one passing result, or one failure per problem
(per line where a line is at fault), so the dealer sees every reason at once. A step
whose prerequisite failed returns one ``prerequisite_failed`` result instead of guessing.
Steps, in order: ``dealer``, ``ship_to``, ``qualifications``, ``contract``, ``lines``
(product, unit, quantity, case pack, minimum), ``authorization``, ``pricing``,
``promotions``; then ``stock`` (allocation), ``credit`` and ``approval`` elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from canonical_model.errors import HubError, InvalidIdentifier
from canonical_model.money import to_decimal
from canonical_model.regions import is_within, validate_region_code
from dms_core.ordering.errors import ReasonCode
from dms_core.ordering.facts import Dealer, DealerFacts, valid_on
from dms_core.ordering.model import CheckResult, OrderRequest
from dms_core.ordering.ports import ProductInfo, ReferenceData

__all__ = [
    "ResolvedLine",
    "ShipTo",
    "check_authorization",
    "check_contract",
    "check_dealer",
    "check_qualifications",
    "passed",
    "resolve_lines",
    "resolve_ship_to",
    "skipped",
]

R = ReasonCode


@dataclass(frozen=True, slots=True)
class ResolvedLine:
    """A requested line whose product and base quantity are known."""

    line_no: int
    sku: str
    qty: Decimal
    unit: str
    qty_base: Decimal
    product: ProductInfo


@dataclass(frozen=True, slots=True)
class ShipTo:
    """Where the order goes: a location (with its region) or just a region."""

    location_code: str | None
    region_code: str | None


def passed(step: str, message: str, code: ReasonCode | None = None) -> list[CheckResult]:
    """One passing result."""
    return [CheckResult(step, True, code, message)]


def skipped(step: str, because: str) -> list[CheckResult]:
    """One ``prerequisite_failed`` result: the step did not run."""
    return [CheckResult(step, False, R.PREREQUISITE_FAILED, f"not checked: {because}")]


def _fail(step: str, code: ReasonCode, message: str, line_no: int | None = None) -> CheckResult:
    return CheckResult(step, False, code, message, line_no)


def check_dealer(code: str, dealer: Dealer | None) -> list[CheckResult]:
    """The dealer exists (and is not soft-deleted) and is active."""
    if dealer is None:
        return [_fail("dealer", R.DEALER_NOT_FOUND, f"no dealer {code!r}")]
    if dealer.status != "active":
        return [_fail("dealer", R.DEALER_INACTIVE, f"dealer {code} is {dealer.status}")]
    return passed("dealer", f"dealer {code} is active")


def resolve_ship_to(
    request: OrderRequest, dealer: Dealer, reference: ReferenceData, owns: Callable[[str], bool]
) -> tuple[ShipTo | None, list[CheckResult]]:
    """Resolve the ship-to to a region; ``owns(owner)`` tells if an owner is at or below the dealer."""
    location_code, region_code = request.ship_to_location_code, request.ship_to_region_code
    if (location_code is None) == (region_code is None):
        msg = "give exactly one of a ship-to location or a ship-to region"
        return None, [_fail("ship_to", R.INVALID_SHIP_TO, msg)]
    if location_code is not None:
        location = reference.locations.get(location_code)
        if location is None:
            return None, [_fail("ship_to", R.INVALID_SHIP_TO, f"no location {location_code!r}")]
        owner = location.owner_dealer_code
        if owner is None or not (owner == dealer.code or owns(owner)):
            msg = f"location {location_code} does not belong to dealer {dealer.code} or a dealer below it"
            return None, [_fail("ship_to", R.SHIP_TO_NOT_OWNED, msg)]
        region_code = location.region_code
        if region_code is None:
            return None, [_fail("ship_to", R.INVALID_SHIP_TO, f"location {location_code} has no region code")]
    assert region_code is not None
    try:
        region = validate_region_code(region_code)
    except InvalidIdentifier as exc:
        return None, [_fail("ship_to", R.INVALID_SHIP_TO, f"ship-to region: {exc.reason}")]
    where = f"location {location_code} in region {region}" if location_code else f"region {region}"
    return ShipTo(location_code, region), passed("ship_to", f"ships to {where}")


def check_qualifications(facts: DealerFacts, on: date, required: Sequence[str]) -> list[CheckResult]:
    """Every required kind is on file, and every qualification on file is valid on ``on``."""
    failures: list[CheckResult] = []
    held = {q.kind for q in facts.qualifications}
    for kind in required:
        if kind not in held:
            failures.append(_fail("qualifications", R.QUALIFICATION_MISSING, f"no {kind} on file"))
    for q in sorted(facts.qualifications, key=lambda q: q.kind):
        if q.valid_until is not None and q.valid_until < on:
            msg = f"{q.kind} expired on {q.valid_until.isoformat()}"
            failures.append(_fail("qualifications", R.QUALIFICATION_EXPIRED, msg))
        elif q.valid_from is not None and q.valid_from > on:
            msg = f"{q.kind} is valid only from {q.valid_from.isoformat()}"
            failures.append(_fail("qualifications", R.QUALIFICATION_NOT_YET_VALID, msg))
    return failures or passed("qualifications", f"{len(facts.qualifications)} qualification(s) valid")


def check_contract(dealer: Dealer, facts: DealerFacts, on: date) -> list[CheckResult]:
    """A dealer that needs a contract has a signed one valid on ``on``."""
    if not dealer.contract_required:
        return passed("contract", "no contract required")
    signed = [c for c in facts.contracts if c.status == "signed"]
    current = [c for c in signed if valid_on(c.valid_from, c.valid_until, on)]
    if current:
        return passed("contract", f"contract {current[0].contract_no} signed and valid")
    lapsed = [c for c in facts.contracts if c.status in ("signed", "expired")]
    if lapsed:
        latest = max(lapsed, key=lambda c: (c.valid_until or date.max, c.contract_no))
        msg = f"contract {latest.contract_no} is not valid on {on.isoformat()}"
        return [_fail("contract", R.CONTRACT_EXPIRED, msg)]
    pending = [c for c in facts.contracts if c.status in ("draft", "sent", "delivered")]
    if pending:
        msg = f"contract {pending[0].contract_no} is not signed yet ({pending[0].status})"
        return [_fail("contract", R.CONTRACT_MISSING, msg)]
    return [_fail("contract", R.CONTRACT_MISSING, f"dealer {dealer.code} has no signed contract")]


def _resolve_one(
    line_no: int, sku: str, raw_qty: object, raw_unit: str | None, reference: ReferenceData
) -> tuple[ResolvedLine | None, list[CheckResult]]:
    product = reference.products.get(sku)
    if product is None:
        return None, [_fail("lines", R.UNKNOWN_PRODUCT, f"line {line_no}: unknown product {sku!r}", line_no)]
    problems: list[CheckResult] = []
    if product.status != "active":
        problems.append(
            _fail("lines", R.PRODUCT_DISCONTINUED, f"line {line_no}: {sku} is discontinued", line_no)
        )
    try:
        qty = to_decimal(raw_qty, what=f"line {line_no} quantity")
    except HubError as exc:
        return None, [*problems, _fail("lines", R.INVALID_QUANTITY, str(exc), line_no)]
    if qty <= 0:
        msg = f"line {line_no}: quantity must be positive, got {qty}"
        return None, [*problems, _fail("lines", R.INVALID_QUANTITY, msg, line_no)]
    unit = (raw_unit or product.base_unit).strip().upper()
    factor = Decimal(1) if unit == product.base_unit else reference.conversions.get((sku, unit))
    if factor is None:
        msg = f"line {line_no}: {sku} has no conversion from {unit} to {product.base_unit}"
        return None, [*problems, _fail("lines", R.UNKNOWN_UNIT, msg, line_no)]
    qty_base = qty * factor
    if qty_base != qty_base.to_integral_value():
        msg = f"line {line_no}: {qty} {unit} is {qty_base} {product.base_unit}, not a whole number"
        return None, [*problems, _fail("lines", R.INVALID_QUANTITY, msg, line_no)]
    qty_base = qty_base.quantize(Decimal(1))
    if qty_base % product.order_multiple:
        msg = (
            f"line {line_no}: {sku} is ordered in multiples of {product.order_multiple} "
            f"{product.base_unit}, got {qty_base}"
        )
        problems.append(_fail("lines", R.CASE_PACK_VIOLATION, msg, line_no))
    if qty_base < product.min_order_qty:
        msg = (
            f"line {line_no}: {sku} needs at least {product.min_order_qty.normalize():f} {product.base_unit}"
        )
        problems.append(_fail("lines", R.BELOW_MINIMUM_QTY, msg + f", got {qty_base}", line_no))
    return ResolvedLine(line_no, sku, qty, unit, qty_base, product), problems


def resolve_lines(
    request: OrderRequest, reference: ReferenceData
) -> tuple[list[ResolvedLine], list[CheckResult], bool]:
    """Products, units → base quantities, case packs and minimums for every line.

    Returns the lines whose base quantity is known, the checks, and whether *every* line
    resolved (pricing needs all of them: a quote of part of an order would mislead).
    """
    if not request.lines:
        return [], [_fail("lines", R.EMPTY_ORDER, "the order has no lines")], False
    resolved: list[ResolvedLine] = []
    checks: list[CheckResult] = []
    for line_no, line in enumerate(request.lines, start=1):
        found, problems = _resolve_one(line_no, line.sku, line.qty, line.unit, reference)
        checks.extend(problems)
        if found is not None:
            resolved.append(found)
    complete = len(resolved) == len(request.lines)
    return resolved, checks or passed("lines", f"{len(resolved)} line(s) valid"), complete


def _covers(region: str, authorized: str) -> bool:
    try:
        return is_within(region, authorized)
    except InvalidIdentifier:
        return False  # a malformed authorization row authorises nothing


def check_authorization(
    lines: Sequence[ResolvedLine], ship_to: ShipTo, facts: DealerFacts, on: date
) -> list[CheckResult]:
    """Each line's product (or its line) is authorised for the dealer in the ship-to region on ``on``."""
    region = ship_to.region_code
    assert region is not None
    live = [a for a in facts.authorizations if valid_on(a.valid_from, a.valid_until, on)]
    failures: list[CheckResult] = []
    for line in lines:
        scopes = {("product", line.sku)}
        if line.product.product_line_code is not None:
            scopes.add(("product_line", line.product.product_line_code))
        if not any((a.scope_type, a.scope_code) in scopes and _covers(region, a.region_code) for a in live):
            msg = f"line {line.line_no}: {line.sku} is not authorised in region {region} on {on.isoformat()}"
            failures.append(_fail("authorization", R.NOT_AUTHORIZED_IN_TERRITORY, msg, line.line_no))
    return failures or passed("authorization", f"all lines authorised in region {region}")
