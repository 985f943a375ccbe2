"""Channel flows: monthly dealer health grades and rebate recalculation, each leaving a table artifact.

Each flow is one I/O task (open the store, compute in one transaction, return plain rows)
plus a markdown artifact. The task retries only when the store was unreachable — the
same condition the sync flow uses; nothing here calls out through tenacity, so no retry
layer is stacked. Both computations are safe to rerun: health rows are replaced,
rebate recalculation is idempotent and never touches settled or paid accruals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from canonical_model.store.database import create_engine, database_errors
from dms_core.channel import BUSINESS_TZ, Period, recalculate_rebates, recompute_health
from flows.retrying import RETRY_DELAYS, store_unreachable

__all__ = [
    "dealer_health_flow",
    "health_markdown",
    "rebate_recalculation_flow",
    "rebates_markdown",
    "recalculate_rebates_task",
    "recompute_health_task",
]


def _period(period: str | None) -> Period:
    return Period.parse(period) if period else Period.parse(datetime.now(BUSINESS_TZ).strftime("%Y-%m"))


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    if not rows:
        lines.append("| " + " | ".join(["—"] * len(header)) + " |")
    return "\n".join(lines) + "\n"


@task(
    name="recompute-dealer-health",
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=store_unreachable,
)
def recompute_health_task(period: str, database_url: str | None = None) -> list[dict[str, Any]]:
    """Grade every dealer for ``period`` and update ``dealers.grade``; returns one row per dealer."""
    engine = create_engine(database_url)
    try:
        with database_errors(engine.url), engine.begin() as conn:
            graded = recompute_health(conn, period)
    finally:
        engine.dispose()
    return [
        {
            "dealer_code": h.dealer_code,
            "period": h.period,
            "grade": h.grade,
            "score": str(h.score),
            **{
                name: h.components[name]["score"]
                for name in ("order_volume", "payment", "diversion", "sell_through")
            },
        }
        for h in graded
    ]


@task(
    name="recalculate-rebates",
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=store_unreachable,
)
def recalculate_rebates_task(
    period: str, database_url: str | None = None, programs: list[str] | None = None
) -> list[dict[str, Any]]:
    """Recalculate the accruals of ``period``; returns one row per accrual looked at."""
    engine = create_engine(database_url)
    try:
        with database_errors(engine.url), engine.begin() as conn:
            result = recalculate_rebates(conn, period, programs=programs)
    finally:
        engine.dispose()
    return [
        {
            "program_code": o.program_code,
            "dealer_code": o.dealer_code,
            "period": o.period,
            "outcome": o.outcome,
            "status": o.status,
            "basis_amount": str(o.basis_amount),
            "rebate_amount": str(o.rebate_amount),
        }
        for o in result.outcomes
    ]


def health_markdown(period: str, rows: Sequence[dict[str, Any]]) -> str:
    """The dealer-health artifact: grade, score and component scores per dealer."""
    header = ("dealer", "grade", "score", "order volume", "payment", "diversion", "sell-through")
    body = [
        (
            r["dealer_code"],
            r["grade"],
            r["score"],
            *(r[k] or "n/a" for k in ("order_volume", "payment", "diversion", "sell_through")),
        )
        for r in rows
    ]
    counts = {g: sum(1 for r in rows if r["grade"] == g) for g in "ABC"}
    summary = f"\nA: {counts['A']} · B: {counts['B']} · C: {counts['C']}\n"
    return _table(f"Dealer health {period}", header, body) + summary


def rebates_markdown(period: str, rows: Sequence[dict[str, Any]]) -> str:
    """The rebate artifact: each accrual with what the recalculation did to it."""
    header = ("program", "dealer", "outcome", "status", "basis amount", "rebate")
    body = [
        (
            r["program_code"],
            r["dealer_code"],
            r["outcome"],
            r["status"],
            r["basis_amount"],
            r["rebate_amount"],
        )
        for r in rows
    ]
    return _table(f"Rebate accruals {period}", header, body)


@flow(name="dealer-health", validate_parameters=True)
def dealer_health_flow(period: str | None = None, database_url: str | None = None) -> dict[str, Any]:
    """Recompute A/B/C grades for ``period`` (default: this month, China time); artifact ``dealer-health``."""
    month = str(_period(period))
    rows = recompute_health_task(month, database_url)
    create_markdown_artifact(
        markdown=health_markdown(month, rows), key="dealer-health", description=f"dealer health {month}"
    )
    get_run_logger().info("dealer health %s: %d dealer(s) graded", month, len(rows))
    return {"period": month, "dealers": rows}


@flow(name="rebate-recalculation", validate_parameters=True)
def rebate_recalculation_flow(
    period: str | None = None, database_url: str | None = None, programs: list[str] | None = None
) -> dict[str, Any]:
    """Recalculate rebate accruals for ``period`` (default: this month); artifact ``rebate-accruals``."""
    month = str(_period(period))
    rows = recalculate_rebates_task(month, database_url, programs)
    create_markdown_artifact(
        markdown=rebates_markdown(month, rows), key="rebate-accruals", description=f"rebate accruals {month}"
    )
    get_run_logger().info("rebates %s: %d accrual(s) looked at", month, len(rows))
    return {"period": month, "accruals": rows}
