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

Bulk speed: a code sent exactly as the hub stores it (its EPC URN) is looked up, not parsed —
it was validated, check digit and all, when it was commissioned, and its row holds the GTIN and
serial its event hash needs. Other spellings (Digital Link, upper case) are parsed once per
distinct text; region codes are validated once per distinct code.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final

import sqlalchemy as sa

from canonical_model.errors import InvalidIdentifier, ValidationError
from canonical_model.regions import is_within, validate_region_code
from canonical_model.tables import (
    authorizations,
    channel_alerts,
    products,
    trace_codes,
    trace_event_epcs,
    trace_events,
    utcnow,
)
from dms_core.tracing.alerts import AlertDraft, raise_alerts
from dms_core.tracing.chain import evidence_chains
from dms_core.tracing.codes import normalize_epc
from dms_core.tracing.events import Event, item_link, scan_event
from dms_core.tracing.lookups import select_in
from dms_core.tracing.policy import TracingPolicy
from dms_core.tracing.store import record_events
from dms_core.tracing.vocab import EXT_GEO, EXT_REGION, SCAN_STEPS, hub_uri

__all__ = ["Finding", "Scan", "ScanRejected", "ScanResult", "verify_scan", "verify_scans"]

_CHINA = timezone(timedelta(hours=8))
_URN_PREFIXES: Final = ("urn:epc:id:sgtin:", "urn:epc:id:sscc:")
#: Terminal scans that stand (not withdrawn by an error declaration).
_SCAN_EVENTS: Final = trace_event_epcs.join(
    trace_events,
    sa.and_(
        trace_events.c.event_id == trace_event_epcs.c.event_id,
        trace_events.c.biz_step.in_(SCAN_STEPS),
        trace_events.c.error_declaration.is_(None),
    ),
)
#: What the rules read of a code: its row, its product's line and, a row each, its earlier scans.
_CODE_ROWS: Final = sa.select(
    trace_codes.c.code,
    trace_codes.c.kind,
    trace_codes.c.gtin,
    trace_codes.c.serial,
    trace_codes.c.sku,
    trace_codes.c.status,
    trace_codes.c.owner_dealer_code,
    trace_codes.c.order_no,
    products.c.product_line_code,
    trace_events.c.event_id.label("scan_id"),
    trace_events.c.region_code.label("scanned_in"),
).select_from(
    trace_codes.outerjoin(products, products.c.sku == trace_codes.c.sku).outerjoin(
        _SCAN_EVENTS, trace_event_epcs.c.epc == trace_codes.c.code
    )
)


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


@dataclass(slots=True)
class _Valid:
    """A scan that passed the checks: its code as a URN, its time and its region."""

    scan: Scan
    code: str
    when: datetime
    region: str


class _Reader:
    """Per-call memory of what was parsed or validated, so repeats cost a dict lookup."""

    def __init__(self, policy: TracingPolicy, stored: dict[str, Any]) -> None:
        self.policy = policy
        self.stored = stored
        self.codes: dict[str, str] = {}
        self.regions: dict[str, str] = {}

    def code(self, text: object) -> str:
        """The scanned code as a URN; raises InvalidIdentifier."""
        if not isinstance(text, str):
            return normalize_epc(text, self.policy.company_prefix_length).code
        if text in self.stored:
            return text
        if text not in self.codes:
            self.codes[text] = normalize_epc(text, self.policy.company_prefix_length).code
        return self.codes[text]

    def region(self, scan: Scan, reasons: list[str]) -> str | None:
        if scan.region_code:
            if scan.region_code in self.regions:
                return self.regions[scan.region_code]
            try:
                region = validate_region_code(scan.region_code)
            except InvalidIdentifier as exc:
                reasons.append(f"region_code: {exc.reason}")
                return None
            self.regions[scan.region_code] = region
            return region
        latitude, longitude = scan.latitude, scan.longitude
        if latitude is None and longitude is None:
            reasons.append(
                "location missing: send region_code (or coordinates where a resolver is configured)"
            )
            return None
        if latitude is None or longitude is None:
            reasons.append("coordinates need both latitude and longitude")
            return None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            reasons.append(f"coordinates ({latitude}, {longitude}) are out of range")
            return None
        if self.policy.region_resolver is None:
            reasons.append(
                "coordinates cannot be resolved: no region resolver is configured; send region_code"
            )
            return None
        found = self.policy.region_resolver.region_at(latitude, longitude)
        if found is None:
            reasons.append(f"no region known at ({latitude}, {longitude}); send region_code")
        return found


class _Known:
    """What the store knows of the scanned codes before this batch: rows, and earlier scans' regions."""

    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}
        self.regions: dict[str, set[str]] = {}
        self._asked: set[str] = set()

    def load(self, conn: sa.Connection, codes: Iterable[str]) -> None:
        wanted = sorted(set(codes) - self._asked)
        self._asked.update(wanted)
        for row in select_in(conn, _CODE_ROWS, trace_codes.c.code, wanted):
            self.rows.setdefault(row.code, row)
            if row.scan_id is not None:
                self.regions.setdefault(row.code, set()).add(row.scanned_in)


def _check(
    scans: Sequence[Scan], policy: TracingPolicy, now: datetime, stored: dict[str, Any]
) -> list[_Valid]:
    problems: dict[int, list[str]] = {}
    valid: list[_Valid] = []
    reader = _Reader(policy, stored)
    latest = now + policy.future_tolerance
    for index, scan in enumerate(scans):
        reasons: list[str] = []
        code = None
        try:
            code = reader.code(scan.code)
        except InvalidIdentifier as exc:
            reasons.append(f"code: {exc.reason}")
        if scan.biz_step not in SCAN_STEPS:
            reasons.append(f"biz_step {scan.biz_step!r} is not a terminal scan ({' or '.join(SCAN_STEPS)})")
        when = scan.event_time or now
        if when.tzinfo is None:
            reasons.append("event_time needs a time-zone offset")
        elif when > latest:
            reasons.append(f"event_time {when.isoformat()} is in the future")
        region = reader.region(scan, reasons)
        if reasons or code is None or region is None:
            problems[index] = reasons
            continue
        valid.append(_Valid(scan, code, when, region))
    if problems:
        raise ScanRejected(problems)
    return valid


def _events(valid: list[_Valid], rows: dict[str, Any]) -> list[Event]:
    """The scans' EPCIS events; a stored item's Digital Link comes from its row's GTIN and serial."""
    links = {
        code: item_link(row.gtin, row.serial)
        for code, row in rows.items()
        if row.kind == "item" and row.gtin and row.serial
    }
    terminals: dict[str, str] = {}
    events: list[Event] = []
    for v in valid:
        scan = v.scan
        extensions: dict[str, Any] = {EXT_REGION: v.region}
        if scan.latitude is not None and scan.longitude is not None:
            extensions[EXT_GEO] = f"geo:{scan.latitude},{scan.longitude}"
        read_point = None
        if scan.terminal:
            read_point = terminals.get(scan.terminal)
            if read_point is None:
                read_point = terminals[scan.terminal] = hub_uri("terminal", scan.terminal)
        selling = scan.biz_step == "retail_selling"
        events.append(
            scan_event(
                v.code,
                event_time=v.when,
                biz_step=scan.biz_step,
                disposition="retail_sold" if selling else None,
                read_point=read_point,
                extensions=extensions,
                link=links.get(v.code),
            )
        )
    return events


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


def _authorisations(conn: sa.Connection, rows: dict[str, Any]) -> dict[str, list[Any]]:
    """The live authorisations of the codes' owners, by dealer."""
    owners = sorted({r.owner_dealer_code for r in rows.values() if r.owner_dealer_code})
    auths: dict[str, list[Any]] = {}
    query = sa.select(authorizations).where(authorizations.c.deleted_at.is_(None))
    for a in select_in(conn, query, authorizations.c.dealer_code, owners):
        auths.setdefault(a.dealer_code, []).append(a)
    return auths


def _replayed_findings(conn: sa.Connection, ids: set[str]) -> dict[str, list[Finding]]:
    query = sa.select(
        channel_alerts.c.alert_id,
        channel_alerts.c.kind,
        channel_alerts.c.dealer_code,
        channel_alerts.c.event_id,
    )
    found: dict[str, list[Finding]] = {}
    for a in sorted(select_in(conn, query, channel_alerts.c.event_id, sorted(ids)), key=lambda a: a.alert_id):
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
    # What the rules compare with is read before this batch is stored; storing tells which
    # scans are resends of stored ones. A code scanned exactly as stored (its URN) is looked up
    # before it is checked, and then needs no parsing.
    known = _Known()
    known.load(conn, (s.code for s in scans if isinstance(s.code, str) and s.code.startswith(_URN_PREFIXES)))
    valid = _check(scans, policy, now or utcnow(), known.rows)
    known.load(conn, (v.code for v in valid))
    rows, regions = known.rows, known.regions
    events = _events(valid, rows)
    sold = {code for code, row in rows.items() if row.status == "sold"}
    auths = _authorisations(conn, rows)
    replayed = set(record_events(conn, events, source_system="scan").existing)

    drafts: list[tuple[int, AlertDraft]] = []
    fresh: dict[str, int] = {}
    allowed: dict[tuple[str, str | None, str, date], bool] = {}
    for index, (c, event) in enumerate(zip(valid, events, strict=True)):
        event_id = event["eventID"]
        if event_id in replayed or event_id in fresh:
            continue
        fresh[event_id] = index
        row = rows.get(c.code)
        if row is None:
            drafts.append((index, AlertDraft("counterfeit", event_id, (), code=c.code, region_code=c.region)))
            continue
        seen = regions.setdefault(c.code, set())
        seen.add(c.region)
        selling = c.scan.biz_step == "retail_selling"
        reason = None
        if selling and c.code in sold:
            reason = "sold before"
        elif len(seen) > policy.max_scan_regions:
            reason = f"scanned in {len(seen)} regions (at most {policy.max_scan_regions})"
        if selling:
            sold.add(c.code)
        owner = row.owner_dealer_code
        common = {"code": c.code, "dealer_code": owner, "sku": row.sku, "region_code": c.region}
        if reason is not None:
            details = {"reason": reason, "regions": sorted(seen)}
            drafts.append((index, AlertDraft("duplication", event_id, (), details=details, **common)))
        if not owner:
            continue
        key = (owner, row.sku, c.region, c.when.astimezone(_CHINA).date())
        if key not in allowed:
            line = row.product_line_code
            allowed[key] = _authorised(auths.get(owner, []), row.sku, line, c.region, key[3])
        if not allowed[key]:
            territories = sorted({a.region_code for a in auths.get(owner, [])})
            details = {"shipped_to": owner, "order_no": row.order_no, "authorised_regions": territories}
            freeze = "diversion" in policy.freeze_on
            drafts.append(
                (index, AlertDraft("diversion", event_id, (), details=details, freeze=freeze, **common))
            )

    chains = evidence_chains(conn, [(valid[i].code, valid[i].when) for i, _d in drafts])
    # A chain stops at its scan: scans later in this batch (even at the same instant) are not in
    # it, exactly as when the scans are verified one by one.
    chains = [
        [e for e in chain if fresh.get(e, -1) <= i] for (i, _d), chain in zip(drafts, chains, strict=True)
    ]
    complete = [
        replace(d, evidence=chain or [d.event_id or ""])
        for (_i, d), chain in zip(drafts, chains, strict=True)
    ]
    alert_ids = raise_alerts(conn, complete) if complete else []
    findings: dict[int, list[Finding]] = {}
    for (index, draft), alert_id in zip(drafts, alert_ids, strict=True):
        findings.setdefault(index, []).append(Finding(draft.kind, alert_id, draft.dealer_code))
    old = _replayed_findings(conn, replayed) if replayed else {}
    results = []
    for index, (c, event) in enumerate(zip(valid, events, strict=True)):
        event_id = event["eventID"]
        first = fresh.get(event_id)
        own = findings.get(first, []) if first is not None else old.get(event_id, [])
        results.append(ScanResult(index, c.code, event_id, c.region, first != index, tuple(own)))
    return results


def verify_scan(
    conn: sa.Connection, scan: Scan, *, policy: TracingPolicy | None = None, now: datetime | None = None
) -> ScanResult:
    """Verify one scan (the same rules as a batch of one)."""
    return verify_scans(conn, [scan], policy=policy, now=now)[0]
