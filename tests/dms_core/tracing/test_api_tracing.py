"""POST /scans, POST /scans/bulk, GET /alerts and resolving over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from canonical_model.tables import channel_alerts, trace_events
from dms_core.api.app import create_app
from dms_core.api.auth import create_api_key
from tests.dms_core.tracing.world import case, item, item_link, load_world, ship_two_cases


def _client(engine: sa.Engine) -> tuple[TestClient, dict[str, dict[str, str]]]:
    load_world(engine)
    ship_two_cases(engine)
    with engine.begin() as conn:
        keys = {
            "brand": create_api_key(conn, role="brand_channel"),
            "DA": create_api_key(conn, role="dealer", dealer_code="DA"),
            "DC": create_api_key(conn, role="dealer", dealer_code="DC"),
            "DB": create_api_key(conn, role="dealer", dealer_code="DB"),
        }
    return TestClient(create_app(engine)), {k: {"Authorization": f"Bearer {v}"} for k, v in keys.items()}


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(trace_events)).scalar_one())


def test_bad_scans_are_422_with_reasons_and_nothing_is_stored(engine: sa.Engine) -> None:
    client, keys = _client(engine)
    before = _count(engine)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    bad = [
        ({"code": "garbage", "region_code": "440106"}, "code: must be an EPC URN"),
        ({"code": item(1)}, "location missing"),
        ({"code": item(1), "region_code": "440106", "event_time": future}, "is in the future"),
        ({"code": item(1), "latitude": 23.1, "longitude": 113.3}, "no region resolver is configured"),
        ({"code": item(1), "region_code": "999999"}, "region_code: unknown region code"),
    ]
    for body, reason in bad:
        answer = client.post("/scans", json=body, headers=keys["brand"])
        assert answer.status_code == 422, body
        assert answer.json()["code"] == "invalid_scan" and reason in answer.json()["message"]
    batch = {"scans": [{"code": item(2), "region_code": "440106"}, *(b for b, _r in bad)]}
    answer = client.post("/scans/bulk", json=batch, headers=keys["brand"])
    assert answer.status_code == 422
    assert [s["index"] for s in answer.json()["details"]["scans"]] == [1, 2, 3, 4, 5]
    assert client.post("/scans", json={"code": item(1), "region_code": "440106"}).status_code == 401
    assert _count(engine) == before


def test_scans_over_http_and_alerts_scoped_to_the_dealers_subtree(engine: sa.Engine) -> None:
    client, keys = _client(engine)
    one = client.post("/scans", json={"code": item_link(1), "region_code": "440305"}, headers=keys["DC"])
    assert one.status_code == 200
    assert [(f["kind"], f["dealer_code"]) for f in one.json()["findings"]] == [
        ("diversion", None)
    ]  # DA is above DC
    bulk = client.post(
        "/scans/bulk",
        json={
            "scans": [
                {"code": case(2), "region_code": "440106"},
                {"code": item(500), "region_code": "440106"},
            ]
        },
        headers=keys["brand"],
    ).json()
    assert (bulk["count"], bulk["suspect"]) == (2, 2)
    assert [f["kind"] for r in bulk["results"] for f in r["findings"]] == ["diversion", "counterfeit"]

    seen = {k: client.get("/alerts", headers=h).json()["alerts"] for k, h in keys.items()}
    assert sorted(a["kind"] for a in seen["brand"]) == ["counterfeit", "diversion", "diversion"]
    assert [a["dealer_code"] for a in seen["DA"]] == ["DA"]
    assert [a["dealer_code"] for a in seen["DB"]] == ["DB"]
    assert seen["DC"] == []
    filtered = client.get(
        "/alerts", params={"kind": "diversion", "dealer": "DB"}, headers=keys["brand"]
    ).json()
    assert [a["dealer_code"] for a in filtered["alerts"]] == ["DB"]
    assert client.get("/alerts", params={"kind": "nonsense"}, headers=keys["brand"]).status_code == 422

    alert_id = seen["DA"][0]["alert_id"]
    assert seen["DA"][0]["evidence"][-1] == one.json()["event_id"]
    assert client.post(f"/alerts/{alert_id}/resolve", headers=keys["DA"]).status_code == 403
    assert client.post(f"/alerts/{alert_id}/resolve", headers=keys["DB"]).status_code == 404
    done = client.post(f"/alerts/{alert_id}/resolve", json={"note": "recalled"}, headers=keys["brand"])
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert client.post(f"/alerts/{alert_id}/resolve", headers=keys["brand"]).status_code == 422
    with engine.connect() as conn:
        status = conn.execute(
            sa.select(channel_alerts.c.status).where(channel_alerts.c.alert_id == alert_id)
        ).scalar()
    assert status == "resolved"
