"""Channel control over the API: price reports raise alerts, rebates / reconciliation / health read back.

The world is the ordering tests' (``seed_world``): DA and DB under the brand, DC under DA;
every product's guide price is 10.00 CNY, so 9.50 is the lowest allowed price (5 % margin).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from canonical_model.tables import channel_alerts, dealer_health, price_observations
from dms_core.api import create_api_key, create_app
from dms_core.channel import (
    HealthSettings,
    rebate_statements,
    recalculate_rebates,
    recompute_health,
    reconcile_deliveries,
    report_rows,
)
from tests.dms_core.channel.channel_support import (
    NOV,
    add_event,
    add_order,
    add_program,
    add_shipment,
)
from tests.dms_core.ordering_support import seed_world

D = Decimal
SEEN = "2026-11-05T10:00:00+08:00"
ITEM = "urn:epc:id:sgtin:6901234.000001.{}"
VISIBLE = {"DA": {"DA", "DC"}, "DB": {"DB"}, "DC": {"DC"}, "brand": {"DA", "DB", "DC"}}


@dataclass
class Api:
    client: TestClient
    engine: Engine
    keys: dict[str, dict[str, str]]

    def post(self, who: str, body: dict[str, Any]) -> Any:
        return self.client.post("/price-reports", json=body, headers=self.keys[who])

    def get(self, who: str, path: str) -> Any:
        return self.client.get(path, headers=self.keys[who])


@pytest.fixture
def api(engine: Engine) -> Iterator[Api]:
    seed_world(engine)
    with engine.begin() as conn:
        tokens = {code: create_api_key(conn, role="dealer", dealer_code=code) for code in ("DA", "DB", "DC")}
        tokens["brand"] = create_api_key(conn, role="brand_channel")
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        yield Api(client, engine, {who: {"Authorization": f"Bearer {t}"} for who, t in tokens.items()})


def observation(**more: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"dealer_code": "DA", "sku": "MILK", "price": "9.00", "observed_at": SEEN}
    return body | more


def stored_counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(sa.select(sa.func.count()).select_from(price_observations)).scalar_one(),
            conn.execute(sa.select(sa.func.count()).select_from(channel_alerts)).scalar_one(),
        )


# --- POST /price-reports ------------------------------------------------------------------


def test_a_dealer_reports_for_its_subtree_and_the_violation_comes_back_as_an_alert(api: Api) -> None:
    body = {
        "observations": [
            observation(dealer_code="DC", region_code="330102", reference="shop 7"),
            observation(sku="FORMULA", price="9.50"),  # exactly 5 % below the guide: allowed
        ]
    }
    response = api.post("DA", body)
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["recorded"], report["duplicates"], report["violations"]) == (2, 0, 1)
    assert [(o["dealer_code"], o["sku"], o["price"], o["source"]) for o in report["observations"]] == [
        ("DC", "MILK", "9.00", "dealer_report"),
        ("DA", "FORMULA", "9.50", "dealer_report"),
    ]
    (alert,) = report["alerts"]
    assert (alert["kind"], alert["status"], alert["dealer_code"], alert["sku"]) == (
        "price_violation",
        "open",
        "DC",
        "MILK",
    )
    assert [(e["observation_id"], e["price"], e["reference"]) for e in alert["evidence"]] == [
        (report["observations"][0]["observation_id"], "9.00", "shop 7")
    ]
    assert alert["details"]["guide_price"].startswith("10.00")
    with api.engine.connect() as conn:
        stored = conn.execute(sa.select(channel_alerts.c.alert_id, channel_alerts.c.dealer_code)).all()
    assert [tuple(r) for r in stored] == [(alert["alert_id"], "DC")]
    assert stored_counts(api.engine) == (2, 1)


def test_a_resent_report_records_nothing_raises_nothing_and_answers_200(api: Api) -> None:
    body = {"observations": [observation()]}
    first = api.post("DA", body).json()
    again = api.post("DA", body)
    assert again.status_code == 200
    assert (again.json()["recorded"], again.json()["duplicates"], again.json()["alerts"]) == (0, 1, [])
    assert again.json()["observations"][0]["observation_id"] == first["observations"][0]["observation_id"]
    assert stored_counts(api.engine) == (1, 1)


def test_a_later_violation_extends_the_open_alert_in_the_response(api: Api) -> None:
    first = api.post("DA", {"observations": [observation()]}).json()
    second = api.post("DA", {"observations": [observation(price="8.00", observed_at="2026-11-06T09:00:00Z")]})
    (alert,) = second.json()["alerts"]
    assert alert["alert_id"] == first["alerts"][0]["alert_id"]
    assert [e["price"] for e in alert["evidence"]] == ["9.00", "8.00"]


def test_a_brand_key_records_market_checks_for_any_dealer(api: Api) -> None:
    response = api.post("brand", {"observations": [observation(dealer_code="DB", price="9.49")]})
    assert response.status_code == 201
    assert response.json()["observations"][0]["source"] == "market_check"
    assert [a["dealer_code"] for a in response.json()["alerts"]] == ["DB"]


@pytest.mark.parametrize(
    ("who", "dealers"),
    [
        ("DA", ["DB"]),  # a sibling
        ("DC", ["DA"]),  # its own parent
        ("DB", ["DC"]),
        ("DA", ["DA", "DB"]),  # one hidden dealer refuses the whole report
        ("DA", ["NOPE"]),  # an unknown dealer looks exactly like a hidden one
    ],
)
def test_a_dealer_key_cannot_report_outside_its_subtree(api: Api, who: str, dealers: list[str]) -> None:
    response = api.post(who, {"observations": [observation(dealer_code=d) for d in dealers]})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert dealers[-1] in response.json()["message"]
    assert stored_counts(api.engine) == (0, 0)


@pytest.mark.parametrize(
    ("observations", "message"),
    [
        ([observation(price="0")], "observations.0.price: Input should be greater than 0"),
        ([observation(price=-3)], "observations.0.price: Input should be greater than 0"),
        ([observation(price="cheap")], "observations.0.price: Input should be a valid decimal"),
        ([observation(price="9.12345")], "observations.0.price: Decimal input should have no more than 4"),
        ([observation(observed_at="2026-11-05T10:00:00")], "observations.0.observed_at: Input should have"),
        ([observation(observed_at="2100-01-01T00:00:00Z")], "observations.0.observed_at: Value error, is in"),
        ([observation(observed_at="1999-12-31T00:00Z")], "observations.0.observed_at: Value error, must be"),
        ([observation(currency="cny")], "observations.0.currency: String should match pattern"),
        ([observation(currency="USD")], "MILK is priced in CNY, the observation in USD"),
        ([observation(region_code="4401")], "observations.0.region_code: String should match pattern"),
        ([observation(region_code="999999")], "observations.0: invalid region code '999999': unknown region"),
        ([observation(sku="GHOST")], "unknown product GHOST"),
        ([{"dealer_code": "DA", "price": "9", "observed_at": SEEN}], "observations.0.sku: Field required"),
        ([], "observations: List should have at least 1 item"),
        ([observation(), observation(price="0")], "observations.1.price: Input should be greater than 0"),
    ],
)
def test_a_bad_report_is_refused_with_its_reason_and_nothing_is_stored(
    api: Api, observations: list[dict[str, Any]], message: str
) -> None:
    response = api.post("DA", {"observations": observations})
    assert response.status_code == 422, response.text
    assert message in response.json()["message"]
    assert stored_counts(api.engine) == (0, 0)


def test_an_unknown_dealer_in_a_brand_report_is_refused_by_name(api: Api) -> None:
    response = api.post("brand", {"observations": [observation(), observation(dealer_code="NOPE")]})
    assert response.status_code == 422
    assert "unknown dealer NOPE" in response.json()["message"]
    assert stored_counts(api.engine) == (0, 0)


# --- scoping of the reads -----------------------------------------------------------------


def test_every_read_is_visible_exactly_within_the_callers_subtree(api: Api) -> None:
    with api.engine.begin() as conn:
        recompute_health(conn, NOV, as_of=date(2026, 12, 1))
    wrong = []
    for path in ("/rebates/{}/2026-11", "/reconciliation/{}/2026-11", "/dealers/{}/health"):
        for who, visible in VISIBLE.items():
            for target in ("DA", "DB", "DC"):
                response = api.get(who, path.format(target))
                expected = 200 if target in visible else 404
                if response.status_code != expected:
                    wrong.append((path, who, target, response.status_code))
                elif expected == 404 and response.json() != {
                    "code": "not_found",
                    "message": f"dealer {target} not found",
                }:
                    wrong.append((path, who, target, response.json()))
    assert wrong == []


@pytest.mark.parametrize(
    "path", ["/rebates/NOPE/2026-11", "/reconciliation/NOPE/2026-11", "/dealers/NOPE/health"]
)
def test_an_unknown_dealer_is_not_found_for_a_brand_key_too(api: Api, path: str) -> None:
    response = api.get("brand", path)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("resource", ["rebates", "reconciliation"])
@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-13", "period must be YYYY-MM"),
        ("2026-00", "period must be YYYY-MM"),
        ("2026-1", "period must be YYYY-MM"),
        ("nov", "period must be YYYY-MM"),
        ("202611", "period must be YYYY-MM"),
        ("9999-12", "period 9999-12 is out of range"),  # its end would be year 10000
    ],
)
def test_a_bad_period_is_a_422_with_its_reason(api: Api, resource: str, period: str, message: str) -> None:
    response = api.get("DA", f"/{resource}/DA/{period}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_period"
    assert message in response.json()["message"]


# --- what the services computed, read back ------------------------------------------------


def test_rebates_read_back_the_accruals_and_their_statement_lines(api: Api) -> None:
    tiers = [{"from": 0, "rate": "0"}, {"from": 10000, "rate": "0.02"}, {"from": 50000, "rate": "0.05"}]
    add_program(api.engine, "SELLIN", "sell_in", tiers, dealer_level=2)
    add_order(api.engine, "SO-1", "DA", date(2026, 11, 3), "approved", [("MILK", 48, "6000.00")])
    add_order(
        api.engine,
        "SO-2",
        "DA",
        date(2026, 11, 20),
        "shipped",
        [("FORMULA", 20, "4000.00"), ("CHEESE", 10, "1000")],
    )
    with api.engine.begin() as conn:
        recalculate_rebates(conn, NOV)
    response = api.get("DA", "/rebates/DA/2026-11")
    assert response.status_code == 200
    body = response.json()
    with api.engine.connect() as conn:
        expected = [s.as_dict() for s in rebate_statements(conn, "DA", NOV)]
    assert body["statements"] == expected
    assert (body["dealer_code"], body["period"], D(body["rebate_total"])) == ("DA", NOV, D("220"))
    (statement,) = body["statements"]
    assert (statement["program_code"], D(statement["basis_amount"]), statement["status"]) == (
        "SELLIN",
        D("11000"),
        "accrued",
    )
    assert [(line["source_ref"], line["sku"]) for line in statement["lines"]] == [
        ("SO-1", "MILK"),
        ("SO-2", "FORMULA"),
        ("SO-2", "CHEESE"),
    ]
    assert statement["calculation"]["tier"] == {"index": 2, "from": "10000", "below": "50000"}
    other = api.get("DA", "/rebates/DA/2026-12").json()
    assert (other["statements"], D(other["rebate_total"])) == ([], D(0))


def test_reconciliation_reads_back_the_discrepancy_report(api: Api) -> None:
    at = datetime(2026, 11, 10, 2, tzinfo=UTC)
    add_order(
        api.engine, "SO-1", "DA", date(2026, 11, 3), "accepted", [("MILK", 48, "144"), ("FORMULA", 6, "1200")]
    )
    add_shipment(api.engine, "SH-1", "SO-1", at, [("MILK", 48, 48), ("FORMULA", 6, 5)])
    add_event(
        api.engine,
        "ev-ship-1",
        "shipping",
        at,
        [ITEM.format(s) for s in ("A1", "A2", "A3")],
        owning_party="DA",
        transactions=[("desadv", "SH-1")],
    )
    add_event(
        api.engine,
        "ev-recv-1",
        "receiving",
        datetime(2026, 11, 12, 2, tzinfo=UTC),
        [ITEM.format(s) for s in ("A1", "A2", "X9")],
        transactions=[("desadv", "SH-1")],
    )
    response = api.get("brand", "/reconciliation/DA/2026-11")
    assert response.status_code == 200
    body = response.json()
    with api.engine.connect() as conn:
        assert body["discrepancies"] == report_rows(reconcile_deliveries(conn, "DA", NOV))
    (delivery,) = body["deliveries"]
    assert (delivery["shipment_no"], delivery["ok"], delivery["signed"]) == ("SH-1", False, True)
    assert [(line["sku"], line["status"], line["difference"]) for line in delivery["lines"]] == [
        ("FORMULA", "qty_short", "-1"),
        ("MILK", "ok", "0"),
    ]
    assert (delivery["missing_codes"], delivery["extra_codes"]) == ([ITEM.format("A3")], [ITEM.format("X9")])
    assert sorted(row["kind"] for row in body["discrepancies"]) == ["code_extra", "code_missing", "qty_short"]


def test_health_reads_back_the_latest_grade_and_its_components(api: Api) -> None:
    missing = api.get("DA", "/dealers/DA/health")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_graded")
    add_order(api.engine, "SO-1", "DA", date(2026, 11, 3), "approved", [("MILK", 48, "600.00")])
    settings = HealthSettings(volume_targets={2: D(1000), 3: D(1000)})
    with api.engine.begin() as conn:
        recompute_health(conn, "2026-10", settings=settings, as_of=date(2026, 12, 1))
        graded = {
            h.dealer_code: h for h in recompute_health(conn, NOV, settings=settings, as_of=date(2026, 12, 1))
        }
    response = api.get("DA", "/dealers/DA/health")
    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["grade"], D(body["score"])) == (NOV, graded["DA"].grade, graded["DA"].score)
    assert body["components"] == graded["DA"].components
    assert body["components"]["order_volume"]["sell_in_amount"] == "600.000000"
    with api.engine.connect() as conn:
        periods = sorted(conn.execute(sa.select(dealer_health.c.period).distinct()).scalars())
    assert periods == ["2026-10", NOV]  # the older grade exists; the latest is the one shown
