"""Reconciliation (对账): short accepted quantities, missing and extra codes, per delivery."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from canonical_model.tables import trace_codes
from dms_core.channel import reconcile_deliveries, report_rows
from tests.dms_core.channel.channel_support import NOV, add_event, add_order, add_shipment
from tests.dms_core.ordering_support import seed_world

AT = datetime(2026, 11, 10, 2, tzinfo=UTC)
LATER = datetime(2026, 11, 12, 2, tzinfo=UTC)
ITEM = "urn:epc:id:sgtin:6901234.000001.{}"
CASE = "urn:epc:id:sscc:6901234.0000000001"


@pytest.fixture
def world(engine: Engine) -> Engine:
    seed_world(engine)
    add_order(
        engine, "SO-1", "DA", date(2026, 11, 3), "accepted", [("MILK", 48, "144"), ("FORMULA", 6, "1200")]
    )
    add_order(engine, "SO-2", "DA", date(2026, 11, 4), "accepted", [("MILK", 24, "72")])
    add_order(engine, "SO-3", "DA", date(2026, 11, 5), "shipped", [("MILK", 24, "72")])
    # SH-1: FORMULA signed one short; code A3 never scanned in, X9 scanned in but never shipped.
    add_shipment(engine, "SH-1", "SO-1", AT, [("MILK", 48, 48), ("FORMULA", 6, 5)])
    add_event(
        engine,
        "ev-ship-1",
        "shipping",
        AT,
        [ITEM.format(s) for s in ("A1", "A2", "A3")],
        owning_party="DA",
        transactions=[("po", "SO-1"), ("desadv", "SH-1")],
    )
    add_event(
        engine,
        "ev-recv-1",
        "receiving",
        LATER,
        [ITEM.format(s) for s in ("A1", "A2", "X9")],
        transactions=[("desadv", "SH-1")],
    )
    # SH-2: a case shipped, its two items scanned in (matched by codes: no transaction named).
    add_shipment(engine, "SH-2", "SO-2", AT, [("MILK", 24, 24)])
    with engine.begin() as conn:
        conn.execute(
            trace_codes.insert(),
            [
                {"code": CASE, "kind": "case", "parent_code": None},
                *({"code": ITEM.format(s), "kind": "item", "parent_code": CASE} for s in ("C1", "C2")),
            ],
        )
    add_event(
        engine, "ev-ship-2", "shipping", AT, [CASE], owning_party="DA", transactions=[("po", "urn:x:SO-2")]
    )
    add_event(engine, "ev-acc-2", "accepting", LATER, [ITEM.format("C1"), ITEM.format("C2")])
    # SH-3: in transit, not signed yet.
    add_shipment(engine, "SH-3", "SO-3", AT, [("MILK", 24, None)], status="in_transit")
    return engine


def test_each_delivery_reports_its_quantity_and_code_discrepancies(world: Engine) -> None:
    with world.connect() as conn:
        report = reconcile_deliveries(conn, "DA", NOV)
    by_no = {d.shipment_no: d for d in report.deliveries}
    assert set(by_no) == {"SH-1", "SH-2", "SH-3"}
    one = by_no["SH-1"]
    assert [(line.sku, line.status, line.difference) for line in one.lines] == [
        ("FORMULA", "qty_short", Decimal(-1)),
        ("MILK", "ok", Decimal(0)),
    ]
    assert one.missing_codes == (ITEM.format("A3"),)
    assert one.extra_codes == (ITEM.format("X9"),)
    assert by_no["SH-2"].ok  # the case's items were received
    assert (by_no["SH-2"].shipped_codes, by_no["SH-2"].received_codes) == (2, 2)
    assert [line.status for line in by_no["SH-3"].lines] == ["not_accepted"]
    assert {d.shipment_no for d in report.discrepancies} == {"SH-1", "SH-3"}


def test_report_rows_list_one_row_per_discrepancy(world: Engine) -> None:
    with world.connect() as conn:
        report = reconcile_deliveries(conn, "DA", NOV)
    rows = report_rows(report)
    assert sorted((r["shipment_no"], r["kind"], r["sku"], r["difference"], r["code"]) for r in rows) == [
        ("SH-1", "code_extra", "", "", ITEM.format("X9")),
        ("SH-1", "code_missing", "", "", ITEM.format("A3")),
        ("SH-1", "qty_short", "FORMULA", "-1", ""),
        ("SH-3", "not_accepted", "MILK", "", ""),
    ]
    assert {r["dealer_code"] for r in rows} == {"DA"} and {r["period"] for r in rows} == {NOV}
    assert [r["kind"] for r in report_rows(report, include_ok=True) if r["shipment_no"] == "SH-2"] == ["ok"]


def test_other_dealers_and_months_are_not_in_the_report(world: Engine) -> None:
    with world.connect() as conn:
        assert reconcile_deliveries(conn, "DB", NOV).deliveries == ()
        assert reconcile_deliveries(conn, "DA", "2026-12").deliveries == ()
