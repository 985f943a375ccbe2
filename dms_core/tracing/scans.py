"""终端扫码 — terminal scans (a sale at the till: ``retail_selling``; a consumer or inspector
checking: ``inspecting``) verified against the codes' histories.

Rules, in order, per scan:

* unknown code → ``counterfeit`` (no dealer to blame);
* a second sale of a sold code, or a code seen in more than ``max_scan_regions`` distinct
  regions → ``duplication`` (a copied code), against the dealer it was shipped to;
* the scan's region outside every territory authorised (for that product or its line, on that
  day) to the dealer the code was last shipped to → ``diversion`` (窜货), against that dealer,
  whom the policy may freeze.

Each alert carries the evidence chain (event ids from commissioning to this scan).

:func:`verify_scans` is set-based — codes, earlier scans, owners, authorisations and products
are loaded in a few queries, events inserted in bulk — and processes scans in the order given,
so a batch gives the same results as the same scans verified one by one. A batch is checked
whole first: any bad scan (unreadable code, no location, a time in the future) refuses it with
every reason and stores nothing. Resending a scan is harmless: its event id is its content hash.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from canonical_model.errors import InvalidIdentifier, ValidationError
from canonical_model.regions import is_within, validate_region_code
from canonical_model.tables import (
    authorizations,
    channel_alerts,
    products,
    trace_event_epcs,
    trace_events,
    utcnow,
)
from dms_core.tracing.alerts import AlertDraft, raise_alerts
from dms_core.tracing.chain import evidence_chains
from dms_core.tracing.codes import normalize_epc
from dms_core.tracing.events import Event, object_event
from dms_core.tracing.policy import TracingPolicy
from dms_core.tracing.store import chunks, existing_event_ids, known_codes, record_events
from dms_core.tracing.vocab import EXT_GEO, EXT_REGION, SCAN_STEPS, hub_uri

__all__ = ["Finding", "Scan", "ScanRejected", "ScanResult", "verify_scan", "verify_scans"]

_CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Scan:
    """One terminal scan as a terminal or app sends it."""

    code: str
    biz_step: str = "inspecting"
    event_time: datetime | None = None
    region_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    terminal: str | None = None


@dataclass(frozen=True)
class Finding:
    """One rule a scan broke, with the alert that records it."""

    kind: str
    alert_id: str
    dealer_code: str | None


@dataclass(frozen=True)
class ScanResult:
    """The verdict on one scan."""

    index: int
    code: str
    event_id: str
    region_code: str
    replay: bool
    findings: tuple[Finding, ...] = ()

    @property
    def verdict(self) -> str:
        return "suspect" if self.findings else "genuine"


class ScanRejected(ValidationError):
    """Scans that cannot be verified; ``problems`` maps each bad scan's index to its reasons."""

    def __init__(self, problems: dict[int, list[str]]) -> None:
        self.problems = problems
        first, reasons = next(iter(problems.items()))
        more = f" ({len(problems) - 1} more bad scan(s))" if len(problems) > 1 else ""
        super().__init__(f"scan {first}: {'; '.join(reasons)}{more}")


@dataclass(frozen=True)
class _Checked:
    code: str
    step: str
    when: datetime
    region: str
    event: Event
    sku: str | None = field(default=None)


def _region(scan: Scan, policy: TracingPolicy, reasons: list[str]) -> str | None:
    if scan.region_code:
        try:
            return validate_region_code(scan.region_code)
        except InvalidIdentifier as exc:
            reasons.append(f"region_code: {exc.reason}")
            return None
    if scan.latitude is None and scan.longitude is None:
        reasons.append("location missing: send region_code (or coordinates where a resolver is configured)")
        return None
    if scan.latitude is None or scan.longitude is None:
        reasons.append("coordinates need both latitude and longitude")
        return None
    if not (-90 <= scan.latitude <= 90 and -180 <= scan.longitude <= 180):
        reasons.append(f"coordinates ({scan.latitude}, {scan.longitude}) are out of range")
        return None
    if policy.region_resolver is None:
        reasons.append("coordinates cannot be resolved: no region resolver is configured; send region_code")
        return None
    region = policy.region_resolver.region_at(scan.latitude, scan.longitude)
    if region is None:
        reasons.append(f"no region known at ({scan.latitude}, {scan.longitude}); send region_code")
    return region


def _check(scans: Sequence[Scan], policy: TracingPolicy, now: datetime) -> list[_Checked]:
    problems: dict[int, list[str]] = {}
    checked: list[_Checked] = []
    for index, scan in enumerate(scans):
        reasons: list[str] = []
        code = None
        try:
            code = normalize_epc(scan.code, policy.company_prefix_length).code
        except InvalidIdentifier as exc:
            reasons.append(f"code: {exc.reason}")
        if scan.biz_step not in SCAN_STEPS:
            reasons.append(f"biz_step {scan.biz_step!r} is not a terminal scan ({' or '.join(SCAN_STEPS)})")
        when = scan.event_time or now
        if when.tzinfo is None:
            reasons.append("event_time needs a time-zone offset")
        elif when > now + policy.future_tolerance:
            reasons.append(f"event_time {when.isoformat()} is in the future")
        region = _region(scan, policy, reasons)
        if reasons or code is None or region is None:
            problems[index] = reasons
            continue
        extensions: dict[str, Any] = {EXT_REGION: region}
        if scan.latitude is not None and scan.longitude is not None:
            extensions[EXT_GEO] = f"geo:{scan.latitude},{scan.longitude}"
        event = object_event(
            "OBSERVE",
            [code],
            event_time=when,
            biz_step=scan.biz_step,
            disposition="retail_sold" if scan.biz_step == "retail_selling" else None,
            read_point=hub_uri("terminal", scan.terminal) if scan.terminal else None,
            extensions=extensions,
        )
        checked.append(_Checked(code, scan.biz_step, when, region, event))
    if problems:
        raise ScanRejected(problems)
    return checked


@functools.lru_cache(maxsize=4096)
def _within(region: str, territory: str) -> bool:
    try:
        return is_within(region, territory)
    except InvalidIdentifier:
        return False


def _authorised(auths: Sequence[Any], sku: str | None, line: str | None, region: str, on: date) -> bool:
    for a in auths:
        if a.valid_from > on or (a.valid_until is not None and a.valid_until < on):
            continue
        if a.scope_type == "product" and sku is not None and a.scope_code != sku:
            continue
        if a.scope_type == "product_line" and line is not None and a.scope_code != line:
            continue
        if _within(region, a.region_code):
            return True
    return False


def _earlier_scans(conn: sa.Connection, codes: Sequence[str]) -> dict[str, set[str]]:
    regions: dict[str, set[str]] = {}
    for part in chunks(codes):
        rows = conn.execute(
            sa.select(trace_event_epcs.c.epc, trace_events.c.region_code)
            .join(trace_events, trace_events.c.event_id == trace_event_epcs.c.event_id)
            .where(
                trace_event_epcs.c.epc.in_(part),
                trace_events.c.biz_step.in_(SCAN_STEPS),
                trace_events.c.error_declaration.is_(None),
            )
        )
        for row in rows:
            regions.setdefault(row.epc, set()).add(row.region_code)
    return regions


def _context(conn: sa.Connection, rows: dict[str, Any]) -> tuple[dict[str, list[Any]], dict[str, str | None]]:
    owners = sorted({r.owner_dealer_code for r in rows.values() if r.owner_dealer_code})
    auths: dict[str, list[Any]] = {}
    for part in chunks(owners):
        for a in conn.execute(
            sa.select(authorizations).where(
                authorizations.c.dealer_code.in_(part), authorizations.c.deleted_at.is_(None)
            )
        ):
            auths.setdefault(a.dealer_code, []).append(a)
    skus = sorted({r.sku for r in rows.values() if r.sku})
    query = sa.select(products.c.sku, products.c.product_line_code).where(products.c.sku.in_(skus))
    lines: dict[str, str | None] = {r.sku: r.product_line_code for r in conn.execute(query)}
    return auths, lines


def _replayed_findings(conn: sa.Connection, ids: set[str]) -> dict[str, list[Finding]]:
    found: dict[str, list[Finding]] = {}
    for part in chunks(sorted(ids)):
        for a in conn.execute(
            sa.select(
                channel_alerts.c.alert_id,
                channel_alerts.c.kind,
                channel_alerts.c.dealer_code,
                channel_alerts.c.event_id,
            )
            .where(channel_alerts.c.event_id.in_(part))
            .order_by(channel_alerts.c.alert_id)
        ):
            found.setdefault(a.event_id, []).append(Finding(a.kind, a.alert_id, a.dealer_code))
    return found


def verify_scans(
    conn: sa.Connection,
    scans: Sequence[Scan],
    *,
    policy: TracingPolicy | None = None,
    now: datetime | None = None,
) -> list[ScanResult]:
    """Verify and record ``scans`` in order; raises :class:`ScanRejected` (storing nothing) if any is bad."""
    policy = policy or TracingPolicy()
    checked = _check(scans, policy, now or utcnow())
    ids = [c.event["eventID"] for c in checked]
    replayed = existing_event_ids(conn, ids)
    rows = known_codes(conn, [c.code for c in checked])
    regions = _earlier_scans(conn, sorted({c.code for c in checked}))
    sold = {code for code, row in rows.items() if row.status == "sold"}
    auths, lines = _context(conn, rows)

    drafts: list[tuple[int, AlertDraft]] = []
    fresh: dict[str, int] = {}
    for index, c in enumerate(checked):
        event_id = c.event["eventID"]
        if event_id in replayed or event_id in fresh:
            continue
        fresh[event_id] = index
        row = rows.get(c.code)
        if row is None:
            drafts.append((index, AlertDraft("counterfeit", event_id, (), code=c.code, region_code=c.region)))
            continue
        seen = regions.setdefault(c.code, set())
        seen.add(c.region)
        reason = None
        if c.step == "retail_selling" and c.code in sold:
            reason = "sold before"
        elif len(seen) > policy.max_scan_regions:
            reason = f"scanned in {len(seen)} regions (at most {policy.max_scan_regions})"
        if c.step == "retail_selling":
            sold.add(c.code)
        owner = row.owner_dealer_code
        common = {"code": c.code, "dealer_code": owner, "sku": row.sku, "region_code": c.region}
        if reason is not None:
            details = {"reason": reason, "regions": sorted(seen)}
            drafts.append((index, AlertDraft("duplication", event_id, (), details=details, **common)))
        on = c.when.astimezone(_CHINA).date()
        if owner and not _authorised(auths.get(owner, []), row.sku, lines.get(row.sku), c.region, on):
            territories = sorted({a.region_code for a in auths.get(owner, [])})
            details = {"shipped_to": owner, "order_no": row.order_no, "authorised_regions": territories}
            freeze = "diversion" in policy.freeze_on
            drafts.append(
                (index, AlertDraft("diversion", event_id, (), details=details, freeze=freeze, **common))
            )

    record_events(conn, [checked[i].event for i in fresh.values()], source_system="scan")
    chains = evidence_chains(conn, [(checked[i].code, checked[i].when) for i, _d in drafts])
    # A chain stops at its scan: scans later in this batch (even at the same instant) are not in
    # it, exactly as when the scans are verified one by one.
    chains = [
        [e for e in chain if fresh.get(e, -1) <= i] for (i, _d), chain in zip(drafts, chains, strict=True)
    ]
    complete = [
        replace(d, evidence=chain or [d.event_id or ""])
        for (_i, d), chain in zip(drafts, chains, strict=True)
    ]
    alert_ids = raise_alerts(conn, complete)
    findings: dict[int, list[Finding]] = {}
    for (index, draft), alert_id in zip(drafts, alert_ids, strict=True):
        findings.setdefault(index, []).append(Finding(draft.kind, alert_id, draft.dealer_code))
    old = _replayed_findings(conn, replayed) if replayed else {}
    results = []
    for index, c in enumerate(checked):
        event_id = c.event["eventID"]
        first = fresh.get(event_id)
        own = findings.get(first, []) if first is not None else old.get(event_id, [])
        results.append(ScanResult(index, c.code, event_id, c.region, first != index, tuple(own)))
    return results


def verify_scan(
    conn: sa.Connection, scan: Scan, *, policy: TracingPolicy | None = None, now: datetime | None = None
) -> ScanResult:
    """Verify one scan (the same rules as a batch of one)."""
    return verify_scans(conn, [scan], policy=policy, now=now)[0]
