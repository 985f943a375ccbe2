"""`make demo`'s command on a fresh folder, twice: every step runs and nothing is duplicated."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from canonical_model.store.database import create_engine
from canonical_model.tables import (
    channel_alerts,
    external_refs,
    order_payment_plan,
    orders,
    quarantine,
    shipment_events,
    stock_levels,
    sync_runs,
)
from flows.demo.sample_network import build_sample_network
from flows.demo.stock_files import bad_rows_in_snapshot
from tests.flows.test_cli_errors import dmshub

SHOWN = (
    "national distributors",  # 1. the network
    "WMS stock sync",
    "SKU-99999",
    "12箱",
    "lookup:sku",  # 2-3. stock sync and its quarantine
    "dealer_inactive",
    "POST /orders",  # orders placed through the HTTP API
    "warehouse split",  # 4. orders, refusals with reasons, a priced order
    "released to the ERP",
    "12345",  # 5. pushed to the SAP sandbox, numbered
    "webhook answers [200, 200, 200]",
    ": signed",  # 6. contract and payments by webhook
    "shipments and tracking",
    "delivered",  # 7. shipments tracked at the carrier
    "one item, one code",
    "diversion alert",
    "evidence chain",
    "is now frozen",  # 8. a diverted carton: alert, evidence, frozen dealer
)


def test_the_demo_runs_on_a_fresh_folder_and_again_without_duplicating_anything(tmp_path: Path) -> None:
    prefect_home = {"PREFECT_HOME": str(tmp_path / "prefect")}
    first = dmshub("demo", cwd=tmp_path, env=prefect_home)
    assert first.returncode == 0, first.stderr
    for text in SHOWN:
        assert text in first.stdout, text
    second = dmshub("demo", cwd=tmp_path, env=prefect_home)
    assert second.returncode == 0, second.stderr

    engine = create_engine(f"sqlite:///{tmp_path}/.dmshub/dmshub.sqlite")
    with engine.connect() as conn:
        runs = conn.execute(
            sa.select(sync_runs.c.records_read, sync_runs.c.records_loaded, sync_runs.c.records_rejected)
            .where(sync_runs.c.connector == "file-drop")
            .order_by(sync_runs.c.started_at)
        ).all()
        open_quarantine = conn.execute(sa.select(sa.func.count()).select_from(quarantine)).scalar()
        stock_rows = conn.execute(sa.select(sa.func.count()).select_from(stock_levels)).scalar()
        released = conn.execute(
            sa.select(sa.func.count()).select_from(orders).where(orders.c.status == "released_to_erp")
        ).scalar()
        numbers = conn.execute(sa.select(external_refs.c.external_id)).scalars().all()
        plan = conn.execute(
            sa.select(order_payment_plan.c.status).order_by(order_payment_plan.c.seq)
        ).scalars()
        plan_statuses = list(plan)
        tracked_events = conn.execute(sa.select(sa.func.count()).select_from(shipment_events)).scalar()
        diversions = conn.execute(
            sa.select(channel_alerts.c.dealer_code, channel_alerts.c.dealer_frozen).where(
                channel_alerts.c.kind == "diversion"
            )
        ).all()
    engine.dispose()
    # Both runs were Prefect flow runs with one task run per step (the local server's own store).
    prefect = create_engine(f"sqlite:///{tmp_path}/prefect/prefect.db")
    with prefect.connect() as conn:
        flow_runs = conn.exec_driver_sql(
            "SELECT r.state_type FROM flow_run r JOIN flow f ON f.id = r.flow_id WHERE f.name = 'demo'"
        ).all()
        steps = set(conn.exec_driver_sql("SELECT DISTINCT task_key FROM task_run").scalars())
    prefect.dispose()
    assert [r.state_type for r in flow_runs] == ["COMPLETED", "COMPLETED"]
    assert any("tracing_step" in key for key in steps) and any("commerce_step" in key for key in steps)

    network = build_sample_network()
    good, bad = len(network.stock_levels), len(bad_rows_in_snapshot(network))
    assert [tuple(r) for r in runs] == [(good + bad, good, bad), (0, 0, 0)]  # the rerun finds nothing new
    assert open_quarantine == bad and stock_rows == good
    assert released == len(numbers) > 0 and len(set(numbers)) == len(numbers)  # one SAP number each
    assert plan_statuses == ["paid", "paid"]  # deposit and balance, paid once despite two runs
    assert tracked_events == 4 + 3 + 2  # three shipments' carrier events, not doubled by the rerun
    assert len(diversions) == 1 and diversions[0].dealer_frozen  # one diverted carton, one alert
