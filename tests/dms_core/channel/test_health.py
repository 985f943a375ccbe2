"""Dealer health: table-driven grades, components stored, and the grade driving auto-approval."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.errors import ValidationError
from canonical_model.tables import dealer_health, dealers, order_payment_plan, payments
from dms_core.channel import HealthFacts, HealthSettings, grade_dealer, recompute_health
from dms_core.ordering import place_order
from tests.dms_core.channel.channel_support import NOV, add_alert, add_order
from tests.dms_core.ordering_support import request, seed_world, settings

D = Decimal
SETTINGS = HealthSettings(volume_targets={2: D(1000), 3: D(1000)})


@pytest.mark.parametrize(
    ("facts", "grade", "score"),
    [
        # full volume, all paid on time, clean, 80 % sold on: everything scores 1
        (HealthFacts(2, D(1000), 2, 2, 0, 0, D(80), D(100)), "A", "1"),
        # exactly at the A threshold (0.8) is A: volume 1/3 → 0.3·⅓ + 0.3 + 0.2 + 0.2 = 0.8
        (HealthFacts(2, D(1000) / 3, 1, 1, 0, 0, D(80), D(100)), "A", "0.8"),
        # half the volume, one of two lines late: 0.15 + 0.15 + 0.2 + 0.2 = 0.7
        (HealthFacts(2, D(500), 2, 1, 0, 0, D(80), D(100)), "B", "0.7"),
        # exactly at the B threshold (0.5): half the volume, nothing due, nothing sold on:
        # (0.3·½ + 0.2·1 + 0.2·0) / 0.7 (payment has no score, so its weight is left out)
        (HealthFacts(2, D(500), 0, 0, 0, 0, D(0), D(100)), "B", "0.5"),
        # no payment and no sell-through data: weights of what is known only (volume 0, diversion 1)
        (HealthFacts(2, D(0)), "C", "0.4"),
        # an overdue receivable counts as a late payment
        (HealthFacts(2, D(1000), 0, 0, 1, 0, D(80), D(100)), "B", "0.7"),
        # a perfect dealer with an open diversion alert is capped at C
        (HealthFacts(2, D(1000), 2, 2, 0, 1, D(80), D(100)), "C", "0.9"),
    ],
)
def test_grades_from_components(facts: HealthFacts, grade: str, score: str) -> None:
    got_grade, got_score, components = grade_dealer(facts, SETTINGS)
    assert (got_grade, got_score) == (grade, D(score).quantize(D("0.000001")))
    assert set(components) >= {"order_volume", "payment", "diversion", "sell_through", "weights"}


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValidationError, match="thresholds"):
        HealthSettings(grade_a=D("0.4"), grade_b=D("0.6"))
    with pytest.raises(ValidationError, match="weights"):
        HealthSettings(weights={"charm": D(1)})


def grades(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(dealers.c.code, dealers.c.grade)).tuples().all())


def test_recompute_stores_components_and_updates_the_dealer_grade(engine: Engine) -> None:
    seed_world(engine)  # DA is A, DB is B, DC is C
    add_order(engine, "SO-B", "DB", date(2026, 11, 2), "accepted", [("MILK", 24, "1000.00")])
    with engine.begin() as conn:
        conn.execute(
            order_payment_plan.insert().values(
                order_no="SO-B", seq=1, kind="full", amount=D("1000.00"), due_date=date(2026, 11, 10)
            )
        )
        conn.execute(
            payments.insert().values(
                payment_no="P1",
                channel="bank",
                order_no="SO-B",
                amount=D("1000.00"),
                status="succeeded",
                paid_at=datetime(2026, 11, 9, 3, tzinfo=UTC),
            )
        )
    add_alert(engine, "DIV-1", "diversion", "DA")
    add_alert(engine, "DIV-OLD", "diversion", "DC", status="resolved")
    with engine.begin() as conn:
        graded = {
            h.dealer_code: h for h in recompute_health(conn, NOV, settings=SETTINGS, as_of=date(2026, 12, 1))
        }
    assert grades(engine) == {"BRAND": None, "DA": "C", "DB": "A", "DC": "C"}
    assert graded["DB"].components["payment"] == {
        "score": "1.000000",
        "plan_lines_due": 1,
        "plan_lines_on_time": 1,
        "overdue_receivables": 0,
    }
    assert graded["DA"].components["diversion"] == {"score": "0.500000", "open_alerts": 1}
    assert graded["DC"].components["diversion"]["open_alerts"] == 0  # resolved alerts do not count
    with engine.connect() as conn:
        stored = {r.dealer_code: (r.grade, r.score) for r in conn.execute(sa.select(dealer_health))}
    assert stored["DB"] == ("A", graded["DB"].score)
    with engine.begin() as conn:  # rerun: one row per dealer and period, replaced
        recompute_health(conn, NOV, settings=SETTINGS, as_of=date(2026, 12, 1))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(dealer_health)).scalar_one() == 3


def test_the_recomputed_grade_decides_auto_approval(engine: Engine) -> None:
    seed_world(engine)
    ordering = settings()
    assert place_order(engine, request(idempotency_key="first"), settings=ordering).status == "allocated"
    with engine.begin() as conn:  # 544.00 of 1000 sold in: B, still within B's auto-approval limit
        (healthy,) = recompute_health(conn, NOV, settings=SETTINGS, dealer_codes=["DA"])
    assert (healthy.grade, grades(engine)["DA"]) == ("B", "B")
    assert place_order(engine, request(idempotency_key="second"), settings=ordering).status == "allocated"
    add_alert(engine, "DIV-1", "diversion", "DA")
    with engine.begin() as conn:
        (diverted,) = recompute_health(conn, NOV, settings=SETTINGS, dealer_codes=["DA"])
    assert (diverted.grade, diverted.components["capped_by_diversion"]) == ("C", True)
    after = place_order(engine, request(idempotency_key="third"), settings=ordering)
    assert after.status == "pending_approval"
    assert any("grade C" in check.message for check in after.validation if check.step == "approval")
