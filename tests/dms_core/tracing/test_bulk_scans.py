"""Bulk-sized scan batches: the set-based paths (array lookups, COPY, one UPDATE of the scan
counts) give what one-by-one verification gives, and the scan events' fast builder gives what
the generic one gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from canonical_model.identifiers import sgtin_digital_link
from canonical_model.tables import channel_alerts, metadata, trace_codes, trace_event_epcs, trace_events
from dms_core.tracing import (
    CodeLine,
    Finding,
    Scan,
    commission,
    events,
    object_event,
    ship,
    verify_scan,
    verify_scans,
)
from dms_core.tracing.events import scan_event
from dms_core.tracing.lookups import MANY
from tests.dms_core.tracing.world import MILK_GTIN, T0, case, item, item_link, load_world, ship_two_cases

SCAN_TIME = T0 + timedelta(days=3)
REGIONS = ("440106", "440305", "330106", "110101", "440304")
EXTRA = range(1000, 1000 + MANY + 10)  # enough distinct codes for the set-based paths


def _world(engine: sa.Engine) -> None:
    load_world(engine)
    ship_two_cases(engine)
    codes = [item(n) for n in EXTRA]
    with engine.begin() as conn:
        commission(conn, [CodeLine(c, "L2611") for c in codes], event_time=T0)
        ship(conn, codes, dealer_code="DB", order_no="SO-3", event_time=T0 + timedelta(hours=3))


def _scans() -> list[Scan]:
    """More scans and codes than MANY: items as URNs and as Digital Links, cases, unknown codes,
    several scans of a code, resends."""
    scans: list[Scan] = []
    for k in range(MANY + 40):
        n = 1 + k % 12
        code = item(n) if k % 3 else item_link(n)
        if k % 17 == 5:
            code = item(700 + k)  # never commissioned
        if k % 23 == 4:
            code = case(1 + k % 2)
        scans.append(
            Scan(
                code,
                "retail_selling" if k % 4 == 1 else "inspecting",
                SCAN_TIME + timedelta(minutes=k, microseconds=k * 1001),
                region_code=REGIONS[k % len(REGIONS)],
                terminal=f"T/{k % 7}" if k % 5 else None,
            )
        )
    for j, n in enumerate(EXTRA):
        scans.append(
            Scan(
                item(n) if j % 4 else item_link(n),
                "retail_selling" if j % 2 else "inspecting",
                SCAN_TIME + timedelta(hours=5, seconds=j),
                region_code="440106" if j % 9 == 0 else "330106",
            )
        )
    scans += [scans[3], scans[40], scans[7]]  # resends inside the batch
    return scans


@dataclass(frozen=True)
class Stored:
    """What the scans left in the store."""

    alerts: list[tuple[Any, ...]]
    codes: dict[str, tuple[str, int]]
    events: list[tuple[Any, ...]]
    epcs: list[tuple[Any, ...]]


def _stored(engine: sa.Engine) -> Stored:
    with engine.connect() as conn:
        alerts = conn.execute(
            sa.select(
                channel_alerts.c.alert_id,
                channel_alerts.c.kind,
                channel_alerts.c.dealer_code,
                channel_alerts.c.evidence,
                channel_alerts.c.details,
            ).order_by(channel_alerts.c.alert_id)
        )
        codes = conn.execute(sa.select(trace_codes.c.code, trace_codes.c.status, trace_codes.c.scan_count))
        events = conn.execute(
            sa.select(trace_events.c.event_id, trace_events.c.region_code, trace_events.c.document).order_by(
                trace_events.c.event_id
            )
        )
        epcs = conn.execute(sa.select(trace_event_epcs).order_by(*trace_event_epcs.primary_key))
        return Stored(
            [tuple(a) for a in alerts],
            {c.code: (c.status, c.scan_count) for c in codes},
            [tuple(e) for e in events],
            [tuple(e) for e in epcs],
        )


Verdict = tuple[str, str, str, bool, tuple[Finding, ...]]


def _run(engine: sa.Engine, bulk: bool) -> tuple[list[Verdict], Stored]:
    _world(engine)
    scans = _scans()
    with engine.begin() as conn:
        results = verify_scans(conn, scans) if bulk else [verify_scan(conn, s) for s in scans]
    return [(r.code, r.event_id, r.region_code, r.replay, r.findings) for r in results], _stored(engine)


def test_a_bulk_batch_gives_the_same_results_and_store_as_one_scan_at_a_time(engine: sa.Engine) -> None:
    results, stored = _run(engine, bulk=True)
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(sa.delete(table))
    assert _run(engine, bulk=False) == (results, stored)
    assert len(results) == MANY + 40 + len(EXTRA) + 3
    assert [replay for _c, _e, _r, replay, _f in results[-3:]] == [True, True, True]  # the resends
    kinds = {f.kind for _c, _e, _r, _replay, findings in results for f in findings}
    assert kinds == {"counterfeit", "duplication", "diversion"}
    assert stored.codes[item(1)][1] > 1 and stored.codes[case(1)][1] >= 1
    assert stored.codes[item(2)][0] == "sold"
    assert stored.codes[item(1001)] == ("sold", 1) and stored.codes[item(1000)] == ("shipped", 1)


def test_resending_a_bulk_batch_stores_nothing_new(engine: sa.Engine) -> None:
    _world(engine)
    scans = _scans()
    with engine.begin() as conn:
        first = verify_scans(conn, scans)
    before = _stored(engine)
    with engine.begin() as conn:
        again = verify_scans(conn, scans)
    assert all(r.replay for r in again)
    assert [r.event_id for r in again] == [r.event_id for r in first]
    assert _stored(engine) == before
    assert before.codes[item(1)][1] == sum(1 for r in first if r.code == item(1) and not r.replay)


@pytest.mark.parametrize("selling", [True, False])
@pytest.mark.parametrize("terminal", ["urn:dmshub:terminal:T%2F1", None])
@pytest.mark.parametrize("geo", [True, False])
def test_scan_event_builds_the_same_event_and_id_as_object_event(
    selling: bool, terminal: str | None, geo: bool
) -> None:
    when = datetime(2026, 11, 4, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-5)))
    extensions = {"dmshub:region": " 440106 "}
    if geo:
        extensions["dmshub:geo"] = "geo:23.1,113.3"
    step = "retail_selling" if selling else "inspecting"
    disposition = "retail_sold" if selling else None
    for code in (item(1), case(2)):
        generic = object_event(
            "OBSERVE",
            [code],
            event_time=when,
            biz_step=step,
            disposition=disposition,
            read_point=terminal,
            extensions=extensions,
        )
        fast = scan_event(
            code,
            event_time=when,
            biz_step=step,
            disposition=disposition,
            read_point=terminal,
            extensions=extensions,
        )
        assert list(fast.items()) == list(generic.items())
    linked = scan_event(
        item(1),
        event_time=when,
        biz_step=step,
        disposition=disposition,
        read_point=terminal,
        extensions=extensions,
        link=events.item_link(MILK_GTIN, "S00001"),
    )
    plain = object_event(
        "OBSERVE",
        [item(1)],
        event_time=when,
        biz_step=step,
        disposition=disposition,
        read_point=terminal,
        extensions=extensions,
    )
    assert linked == plain


def test_scan_event_refuses_extensions_that_are_not_namespaced() -> None:
    with pytest.raises(ValueError, match="namespaced"):
        scan_event(item(1), event_time=T0, biz_step="inspecting", extensions={"region": "440106"})


@pytest.mark.parametrize("serial", ["S00001", 'A/b%c?d&e"f<g>h', "x.y-z_1", "!'()*+,:;="])
def test_item_link_is_the_digital_link_of_the_identifiers_module(serial: str) -> None:
    assert events.item_link(MILK_GTIN, serial) == sgtin_digital_link(MILK_GTIN, serial)
