"""The full chain: commission → pack → ship → terminal scans, with the alerts the rules raise."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from canonical_model.tables import channel_alerts, dealers, trace_codes
from dms_core.tracing import Scan, TracingPolicy, list_alerts, verify_scan
from tests.dms_core.tracing.world import T0, case, item, item_link, load_world, ship_two_cases

SCAN_TIME = T0 + timedelta(days=3)


def test_a_scan_outside_the_dealers_territory_raises_diversion_with_the_whole_chain(
    pg_engine: sa.Engine,
) -> None:
    load_world(pg_engine)
    steps = ship_two_cases(pg_engine)
    with pg_engine.begin() as conn:
        result = verify_scan(conn, Scan(item_link(3), "retail_selling", SCAN_TIME, region_code="440305"))
    assert [(f.kind, f.dealer_code) for f in result.findings] == [("diversion", "DA")]
    with pg_engine.connect() as conn:
        alert = conn.execute(sa.select(channel_alerts)).one()
    assert alert.kind == "diversion" and alert.dealer_code == "DA" and alert.code == item(3)
    assert alert.region_code == "440305"
    assert alert.evidence == [
        steps["commissioning"]["eventID"],
        steps["pack_1"]["eventID"],
        steps["ship_a"]["eventID"],
        result.event_id,
    ]
    assert alert.details["authorised_regions"] == ["440100"]


def test_a_scan_inside_the_territory_raises_nothing(pg_engine: sa.Engine) -> None:
    load_world(pg_engine)
    ship_two_cases(pg_engine)
    with pg_engine.begin() as conn:
        result = verify_scan(conn, Scan(item(2), "retail_selling", SCAN_TIME, region_code="440106"))
        assert result.findings == () and result.verdict == "genuine"
        assert conn.execute(sa.select(sa.func.count()).select_from(channel_alerts)).scalar() == 0
        row = conn.execute(sa.select(trace_codes).where(trace_codes.c.code == item(2))).one()
    assert (row.status, row.scan_count, row.owner_dealer_code, row.order_no) == ("sold", 1, "DA", "SO-1")


def test_an_unknown_code_is_a_suspected_counterfeit(engine: sa.Engine) -> None:
    load_world(engine)
    ship_two_cases(engine)
    with engine.begin() as conn:
        result = verify_scan(conn, Scan(item(999), "inspecting", SCAN_TIME, region_code="440106"))
        alerts = list_alerts(conn)
    assert [(f.kind, f.dealer_code) for f in result.findings] == [("counterfeit", None)]
    assert [(a["kind"], a["code"], a["evidence"]) for a in alerts] == [
        ("counterfeit", item(999), [result.event_id])
    ]


def test_a_carton_scanned_out_of_territory_names_its_items_history(engine: sa.Engine) -> None:
    load_world(engine)
    steps = ship_two_cases(engine)
    with engine.begin() as conn:
        result = verify_scan(conn, Scan(case(2), "inspecting", SCAN_TIME, region_code="440106"))
    assert [(f.kind, f.dealer_code) for f in result.findings] == [("diversion", "DB")]
    with engine.connect() as conn:
        evidence = conn.execute(sa.select(channel_alerts.c.evidence)).scalar_one()
    assert evidence == [
        steps["commissioning"]["eventID"],
        steps["pack_2"]["eventID"],
        steps["ship_b"]["eventID"],
        result.event_id,
    ]


def test_selling_a_sold_code_again_is_duplication(engine: sa.Engine) -> None:
    load_world(engine)
    ship_two_cases(engine)
    with engine.begin() as conn:
        first = verify_scan(conn, Scan(item(1), "retail_selling", SCAN_TIME, region_code="440106"))
        second = verify_scan(
            conn, Scan(item(1), "retail_selling", SCAN_TIME + timedelta(hours=1), region_code="440106")
        )
        alert = conn.execute(sa.select(channel_alerts)).one()
    assert first.findings == ()
    assert [(f.kind, f.dealer_code) for f in second.findings] == [("duplication", "DA")]
    assert alert.details["reason"] == "sold before"
    assert alert.evidence[-2:] == [first.event_id, second.event_id]


def test_a_code_seen_in_more_regions_than_allowed_is_duplication(engine: sa.Engine) -> None:
    load_world(engine)
    ship_two_cases(engine)
    policy = TracingPolicy(max_scan_regions=2, freeze_on=frozenset())
    kinds = []
    with engine.begin() as conn:
        for hours, region in enumerate(("440106", "440104", "440103")):
            scan = Scan(item(4), "inspecting", SCAN_TIME + timedelta(hours=hours), region_code=region)
            kinds.append([f.kind for f in verify_scan(conn, scan, policy=policy).findings])
        status = conn.execute(sa.select(dealers.c.status).where(dealers.c.code == "DA")).scalar()
    assert kinds == [[], [], ["duplication"]]
    assert status == "active"


def test_resending_a_scan_stores_and_raises_nothing_new(engine: sa.Engine) -> None:
    load_world(engine)
    ship_two_cases(engine)
    scan = Scan(item(3), "inspecting", SCAN_TIME, region_code="440305")
    with engine.begin() as conn:
        first = verify_scan(conn, scan)
        again = verify_scan(conn, scan)
        count = conn.execute(
            sa.select(trace_codes.c.scan_count).where(trace_codes.c.code == item(3))
        ).scalar()
        alerts = conn.execute(sa.select(sa.func.count()).select_from(channel_alerts)).scalar()
    assert again.replay and not first.replay
    assert again.event_id == first.event_id and again.findings == first.findings
    assert (count, alerts) == (1, 1)
