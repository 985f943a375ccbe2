"""`make demo`'s command on a fresh folder: the sample network, a real WMS sync, quarantine — twice."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from canonical_model.store.database import create_engine
from canonical_model.tables import (
    external_refs,
    order_payment_plan,
    orders,
    quarantine,
    stock_levels,
    sync_runs,
)
from flows.demo.sample_network import build_sample_network
from flows.demo.stock_files import bad_rows_in_snapshot
from tests.flows.test_cli_errors import dmshub


def test_the_demo_runs_on_a_fresh_folder_and_again_without_duplicating_anything(tmp_path: Path) -> None:
    first = dmshub("demo", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    for text in (
        "national distributors",
        "WMS stock sync",
        "SKU-99999",
        "12箱",
        "lookup:sku",
        "dealer_inactive",
        "warehouse split",
        "released to the ERP",
        "12345",
    ):
        assert text in first.stdout
    second = dmshub("demo", cwd=tmp_path)
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
        plan_statuses = (
            conn.execute(sa.select(order_payment_plan.c.status).order_by(order_payment_plan.c.seq))
            .scalars()
            .all()
        )
    engine.dispose()
    assert released == len(numbers) > 0  # every approved order went to SAP once, numbered
    assert plan_statuses == ["paid", "paid"]  # deposit and balance, once each despite two demo runs
    assert len(set(numbers)) == len(numbers)
    network = build_sample_network()
    good, bad = len(network.stock_levels), len(bad_rows_in_snapshot(network))
    assert [tuple(r) for r in runs] == [
        (good + bad, good, bad),
        (0, 0, 0),
    ]  # the second run finds nothing new
    assert open_quarantine == bad and stock_rows == good
