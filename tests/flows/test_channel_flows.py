"""Channel flows and CLI: tasks through ``.fn``, one real flow run, the commands end to end."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.store.database import create_engine
from canonical_model.store.migrations import upgrade
from canonical_model.tables import channel_alerts, metadata
from flows.channel_flows import (
    health_markdown,
    rebate_recalculation_flow,
    rebates_markdown,
    recalculate_rebates_task,
    recompute_health_task,
)
from flows.cli import main
from tests.dms_core.channel.channel_support import NOV, add_event, add_order, add_program, add_shipment
from tests.dms_core.ordering_support import seed_world

TIERS = [{"from": 0, "rate": "0.01"}, {"from": 5000, "rate": "0.02"}]


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def seed(engine: Engine) -> None:
    seed_world(engine)
    add_program(engine, "SELLIN", "sell_in", TIERS)
    add_order(engine, "SO-1", "DA", date(2026, 11, 3), "approved", [("MILK", 48, "6000.00")])
    add_order(engine, "SO-2", "DB", date(2026, 11, 4), "shipped", [("MILK", 24, "300.00")])


def test_rebate_task_is_rerunnable_and_its_artifact_lists_each_accrual(engine: Engine) -> None:
    seed(engine)
    first = recalculate_rebates_task.fn(NOV, url_of(engine))
    second = recalculate_rebates_task.fn(NOV, url_of(engine))
    assert [(r["dealer_code"], r["outcome"], r["rebate_amount"]) for r in first] == [
        ("DA", "written", "120.00"),
        ("DB", "written", "3.00"),
    ]
    assert {r["outcome"] for r in second} == {"unchanged"}
    markdown = rebates_markdown(NOV, first)
    assert "## Rebate accruals 2026-11" in markdown
    assert "| SELLIN | DA | written | accrued | 6000.0000 | 120.00 |" in markdown


def test_health_task_grades_every_dealer_and_its_artifact_counts_grades(engine: Engine) -> None:
    seed(engine)
    rows = recompute_health_task.fn(NOV, url_of(engine))
    assert [r["dealer_code"] for r in rows] == ["DA", "DB", "DC"]
    assert all(r["grade"] in "ABC" for r in rows)
    markdown = health_markdown(NOV, rows)
    assert "## Dealer health 2026-11" in markdown
    assert markdown.count("\n| D") == 3
    assert "A: " in markdown and "C: " in markdown


def test_rebate_flow_runs_under_prefect(prefect_harness: None, sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    metadata.create_all(engine)
    seed(engine)
    engine.dispose()
    result = rebate_recalculation_flow(period=NOV, database_url=sqlite_url)
    assert result["period"] == NOV
    assert [(a["dealer_code"], a["rebate_amount"]) for a in result["accruals"]] == [
        ("DA", "120.00"),
        ("DB", "3.00"),
    ]


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    engine = create_engine(url)
    upgrade(engine)
    seed(engine)
    at = datetime(2026, 11, 10, 2, tzinfo=UTC)
    add_shipment(engine, "SH-1", "SO-1", at, [("MILK", 48, 46)])
    add_event(
        engine,
        "ev-s",
        "shipping",
        at,
        ["urn:epc:id:sgtin:6901234.000001.A1"],
        owning_party="DA",
        transactions=[("desadv", "SH-1")],
    )
    engine.dispose()
    return url


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str]:
    code = main(["--database-url", url, *args])
    return code, capsys.readouterr().out


def test_channel_commands_end_to_end(store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, store, "rebates", "recalc", "--period", NOV, "--json")
    assert code == 0 and [a["outcome"] for a in json.loads(out)] == ["written", "written"]
    code, out = run(capsys, store, "rebates", "statement", "--dealer", "DA", "--period", NOV, "--json")
    (statement,) = json.loads(out)
    assert (statement["rebate_amount"], [line["source_ref"] for line in statement["lines"]]) == (
        "120.0000",
        ["SO-1"],
    )

    report = tmp_path / "recon.csv"
    code, out = run(capsys, store, "reconcile", "--dealer", "DA", "--period", NOV, "--csv", str(report))
    assert code == 1  # a discrepancy
    with report.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["shipment_no"], r["kind"], r["difference"]) for r in rows] == [
        ("SH-1", "qty_short", "-2"),
        ("SH-1", "no_receipt_scan", ""),
    ]

    code, out = run(capsys, store, "health", "recompute", "--period", NOV, "--json")
    assert code == 0 and {h["dealer_code"] for h in json.loads(out)} == {"DA", "DB", "DC"}

    prices = tmp_path / "prices.csv"
    prices.write_text(
        "dealer_code,sku,price,observed_at,source,reference\n"
        "DA,MILK,9.50,2026-11-05T10:00:00+08:00,market_check,shop 1\n"
        "DA,MILK,9.00,2026-11-06T10:00:00+08:00,market_check,shop 2\n",
        encoding="utf-8",
    )
    code, out = run(capsys, store, "prices", "report", str(prices), "--json")
    assert code == 0 and json.loads(out)["violations"] == 1
    code, out = run(capsys, store, "prices", "report", str(prices), "--json")
    assert json.loads(out)["duplicates"] == 2 and json.loads(out)["alerts_opened"] == []
    engine = create_engine(store)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(channel_alerts)).scalar_one() == 1
    engine.dispose()


def test_a_bad_period_is_one_line_and_exit_2(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--database-url", store, "rebates", "recalc", "--period", "2026-13"])
    err = capsys.readouterr().err
    assert code == 2
    assert "period must be YYYY-MM" in err and "Traceback" not in err
