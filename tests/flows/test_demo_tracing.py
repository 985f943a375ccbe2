"""The demo's tracing step on the sample network: a diverted carton, its alert, a frozen dealer."""

from __future__ import annotations

import io

import sqlalchemy as sa
from rich.console import Console

from canonical_model.tables import channel_alerts, dealers
from flows.demo.load import load_sample_network
from flows.demo.sample_network import build_sample_network
from flows.demo.tracing import run_tracing_demo


def test_a_diverted_carton_raises_an_alert_with_its_chain_and_freezes_the_dealer(engine: sa.Engine) -> None:
    load_sample_network(engine, build_sample_network())
    out = io.StringIO()
    demo = run_tracing_demo(engine, Console(file=out, width=200))
    text = out.getvalue()

    assert [step for _id, step in demo.evidence] == ["commissioning", "packing", "shipping", "inspecting"]
    assert demo.dealer_status == "frozen"
    assert [[f.kind for f in r.findings] for r in demo.scans] == [[], [], [], ["diversion"]]
    assert f"diversion alert {demo.alert_id}" in text and "evidence chain" in text
    assert f"dealer {demo.dealer_code} is now frozen" in text
    with engine.connect() as conn:
        alert = conn.execute(sa.select(channel_alerts)).one()
        status = conn.execute(sa.select(dealers.c.status).where(dealers.c.code == demo.dealer_code)).scalar()
    assert (alert.kind, alert.dealer_code, alert.dealer_frozen, status) == (
        "diversion",
        demo.dealer_code,
        True,
        "frozen",
    )


def test_running_the_step_again_records_nothing_new(engine: sa.Engine) -> None:
    load_sample_network(engine, build_sample_network())
    first = run_tracing_demo(engine, Console(file=io.StringIO()))
    second = run_tracing_demo(engine, Console(file=io.StringIO()))
    assert second.alert_id == first.alert_id
    assert all(r.replay for r in second.scans)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(channel_alerts)).scalar() == 1
