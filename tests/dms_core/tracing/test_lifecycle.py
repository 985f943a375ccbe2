"""Receiving with mismatches, error declarations, the freeze policy and ordering, WMS-shipped codes,
and bulk verification equal to one-by-one verification."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from canonical_model.errors import ValidationError
from canonical_model.tables import channel_alerts, dealers, metadata, trace_codes, trace_events
from dms_core.ordering import OrderingSettings, OrderRequest, place_order
from dms_core.tracing import (
    Scan,
    TracingPolicy,
    bind_shipped_codes,
    declare_error,
    receive,
    resolve_alert,
    verify_scan,
    verify_scans,
)
from tests.dms_core.tracing.world import T0, case, item, load_world, ship_two_cases

SCAN_TIME = T0 + timedelta(days=3)


def test_a_receipt_with_missing_and_extra_codes_records_mismatches_and_alerts(engine: sa.Engine) -> None:
    load_world(engine)
    steps = ship_two_cases(engine)
    with engine.begin() as conn:
        receipt = receive(
            conn,
            dealer_code="DA",
            order_no="SO-1",
            codes=[item(n) for n in range(1, 6)] + [item(7)],
            event_time=T0 + timedelta(days=1),
        )
        alert = conn.execute(sa.select(channel_alerts)).one()
        statuses = dict(conn.execute(sa.select(trace_codes.c.code, trace_codes.c.status)).all())
    assert (receipt.missing, receipt.extra) == ((item(6),), (item(7),))
    assert [e["disposition"] for e in receipt.events] == [
        "in_progress",
        "mismatch_instance",
        "mismatch_quantity",
    ]
    assert (alert.kind, alert.dealer_code, alert.details["missing"], alert.details["extra"]) == (
        "receiving_mismatch",
        "DA",
        [item(6)],
        [item(7)],
    )
    assert alert.evidence == [steps["ship_a"]["eventID"]] + [e["eventID"] for e in receipt.events]
    assert (
        statuses[item(1)] == "received" and statuses[item(6)] == "shipped" and statuses[item(7)] == "shipped"
    )


def test_a_receipt_for_an_order_never_shipped_to_the_dealer_is_refused(engine: sa.Engine) -> None:
    load_world(engine)
    ship_two_cases(engine)
    with (
        engine.begin() as conn,
        pytest.raises(ValidationError, match="nothing was shipped to DB for order SO-1"),
    ):
        receive(conn, dealer_code="DB", order_no="SO-1", codes=[case(1)])


def test_an_error_declaration_keeps_the_event_and_takes_it_out_of_the_chain(engine: sa.Engine) -> None:
    load_world(engine)
    steps = ship_two_cases(engine)
    wrong = steps["ship_a"]["eventID"]
    with engine.begin() as conn:
        declaration = declare_error(conn, wrong, "did_not_occur")
        with pytest.raises(ValidationError, match="already has an error declaration"):
            declare_error(conn, wrong, "did_not_occur")
        with pytest.raises(ValidationError, match="use did_not_occur or incorrect_data"):
            declare_error(conn, steps["ship_b"]["eventID"], "oops")
        row = conn.execute(sa.select(trace_events).where(trace_events.c.event_id == wrong)).one()
        result = verify_scan(conn, Scan(item(2), "inspecting", SCAN_TIME, region_code="440305"))
        evidence = conn.execute(sa.select(channel_alerts.c.evidence)).scalar_one()
    assert row.document == steps["ship_a"] and row.error_declaration == declaration
    assert declaration["reason"] == "did_not_occur"
    assert [f.kind for f in result.findings] == ["diversion"]
    assert wrong not in evidence


def _order(dealer: str) -> OrderRequest:
    return OrderRequest(
        dealer_code=dealer, lines=[("MILK", 6)], order_date=date(2026, 11, 5), ship_to_region_code="440106"
    )


def test_a_diversion_freezes_the_dealer_for_ordering_until_a_brand_user_resolves_it(
    engine: sa.Engine,
) -> None:
    load_world(engine)
    ship_two_cases(engine)
    settings = OrderingSettings()
    with engine.begin() as conn:
        found = verify_scan(conn, Scan(item(1), "inspecting", SCAN_TIME, region_code="440305")).findings
        second = verify_scan(conn, Scan(item(2), "inspecting", SCAN_TIME, region_code="440305")).findings
        alert = conn.execute(
            sa.select(channel_alerts).where(channel_alerts.c.alert_id == found[0].alert_id)
        ).one()
    assert alert.dealer_frozen and second[0].alert_id != found[0].alert_id
    refused = place_order(engine, _order("DA"), settings=settings)
    assert "dealer_inactive" in [r.value for r in refused.reasons]
    with engine.begin() as conn:
        resolve_alert(conn, found[0].alert_id, by="brand.li", note="stock recalled")
        still = conn.execute(sa.select(dealers.c.status).where(dealers.c.code == "DA")).scalar()
        resolve_alert(conn, second[0].alert_id, by="brand.li")
        now = conn.execute(sa.select(dealers.c.status).where(dealers.c.code == "DA")).scalar()
    assert (still, now) == ("frozen", "active")
    allowed = place_order(engine, _order("DA"), settings=settings)
    assert "dealer_inactive" not in [r.value for r in allowed.reasons]


def test_a_policy_without_freezing_only_alerts_and_a_hand_frozen_dealer_stays_frozen(
    engine: sa.Engine,
) -> None:
    load_world(engine)
    ship_two_cases(engine)
    with engine.begin() as conn:
        quiet = verify_scan(
            conn,
            Scan(item(1), "inspecting", SCAN_TIME, region_code="440305"),
            policy=TracingPolicy(freeze_on=frozenset()),
        )
        assert conn.execute(sa.select(dealers.c.status).where(dealers.c.code == "DA")).scalar() == "active"
        conn.execute(sa.update(dealers).where(dealers.c.code == "DB").values(status="frozen"))
        loud = verify_scan(conn, Scan(item(8), "inspecting", SCAN_TIME, region_code="440305"))
        resolve_alert(conn, loud.findings[0].alert_id, by="brand.li")
        status_b = conn.execute(sa.select(dealers.c.status).where(dealers.c.code == "DB")).scalar()
    assert [f.kind for f in quiet.findings] == ["diversion"]
    assert status_b == "frozen"


def test_wms_shipped_codes_become_packing_and_shipping_events_once(engine: sa.Engine) -> None:
    load_world(engine)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [
        {
            "code": case(9),
            "kind": "case",
            "sku": None,
            "parent_code": None,
            "status": "shipped",
            "owner_dealer_code": "DB",
            "order_no": "SO-9",
        }
    ]
    rows += [
        {
            "code": item(90 + n),
            "kind": "item",
            "sku": "MILK",
            "parent_code": case(9),
            "status": "shipped",
            "owner_dealer_code": "DB",
            "order_no": "SO-9",
        }
        for n in range(3)
    ]
    with engine.begin() as conn:
        conn.execute(trace_codes.insert(), [{**r, "created_at": now, "updated_at": now} for r in rows])
        events = bind_shipped_codes(conn)
        again = bind_shipped_codes(conn)
        result = verify_scan(conn, Scan(item(91), "inspecting", SCAN_TIME, region_code="440106"))
    assert [(e["type"], e.get("bizStep")) for e in events] == [
        ("AggregationEvent", "packing"),
        ("ObjectEvent", "shipping"),
    ]
    assert events[1]["epcList"] == [case(9)] and again == []
    assert [(f.kind, f.dealer_code) for f in result.findings] == [("diversion", "DB")]


SCANS = [
    Scan(item(1), "retail_selling", SCAN_TIME, region_code="440106"),
    Scan(item(1), "retail_selling", SCAN_TIME + timedelta(minutes=1), region_code="440106"),
    Scan(item(2), "inspecting", SCAN_TIME, region_code="440305"),
    Scan(item(2), "inspecting", SCAN_TIME + timedelta(minutes=2), region_code="440304"),
    Scan(item(8), "retail_selling", SCAN_TIME, region_code="330106"),
    Scan(item(9), "inspecting", SCAN_TIME, region_code="440106"),
    Scan(item(500), "inspecting", SCAN_TIME, region_code="440106"),
    Scan(case(2), "inspecting", SCAN_TIME, region_code="110101"),
    Scan(item(1), "retail_selling", SCAN_TIME, region_code="440106"),  # a resend of the first
]


def _outcome(engine: sa.Engine, bulk: bool) -> tuple[list[object], list[object], list[object]]:
    load_world(engine)
    ship_two_cases(engine)
    with engine.begin() as conn:
        results = verify_scans(conn, SCANS) if bulk else [verify_scan(conn, s) for s in SCANS]
        alerts = conn.execute(
            sa.select(
                channel_alerts.c.alert_id,
                channel_alerts.c.kind,
                channel_alerts.c.dealer_code,
                channel_alerts.c.evidence,
            ).order_by(channel_alerts.c.alert_id)
        ).all()
        codes = conn.execute(
            sa.select(trace_codes.c.code, trace_codes.c.status, trace_codes.c.scan_count).order_by(
                trace_codes.c.code
            )
        ).all()
    verdicts = [(r.code, r.event_id, r.replay, r.findings) for r in results]
    return verdicts, [tuple(a) for a in alerts], [tuple(c) for c in codes]


def test_bulk_verification_gives_the_same_results_as_one_scan_at_a_time(engine: sa.Engine) -> None:
    bulk = _outcome(engine, bulk=True)
    with engine.begin() as conn:  # the same store, emptied: then the same scans one by one
        for table in reversed(metadata.sorted_tables):
            conn.execute(sa.delete(table))
    single = _outcome(engine, bulk=False)
    assert bulk == single
    kinds = [[f.kind for f in findings] for _c, _e, _r, findings in bulk[0]]  # type: ignore[attr-defined]
    assert kinds == [
        [],
        ["duplication"],
        ["diversion"],
        ["diversion"],
        [],
        ["diversion"],
        ["counterfeit"],
        ["diversion"],
        [],
    ]
