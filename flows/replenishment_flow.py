"""The ``replenishment`` flow: stock health per dealer × SKU and draft replenishment orders.

One store step (a task retried only when the store is unreachable) runs
:func:`dms_core.replenishment.run_replenishment`; the artifact is the ``stock_health``
table of the day with the drafts placed and the ones the pipeline refused (credit, ...).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from dms_core.replenishment.policy import ReplenishmentPolicy
from flows.retrying import RETRY_DELAYS, store_unreachable
from flows.run_artifacts import markdown_table

__all__ = ["replenishment", "replenishment_markdown", "replenishment_step"]


@task(name="replenish", retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=store_unreachable)
def replenishment_step(
    as_of: date,
    database_url: str | None,
    policy: ReplenishmentPolicy,
    dealer_codes: list[str] | None,
    draft: bool,
    outbox_target: str,
) -> dict[str, Any]:
    """Assess, draft and store the day's stock health; a JSON-ready summary."""
    from canonical_model.store.database import create_engine, database_errors
    from dms_core.ordering import OrderingSettings
    from dms_core.replenishment import run_replenishment

    engine = create_engine(database_url)
    try:
        with database_errors(engine.url):
            result = run_replenishment(
                engine,
                as_of,
                settings=OrderingSettings(outbox_target=outbox_target),
                policy=policy,
                dealer_codes=dealer_codes,
                draft=draft,
            )
    finally:
        engine.dispose()
    return {
        "as_of": as_of.isoformat(),
        "rows": [
            {
                "dealer_code": a.position.dealer_code,
                "sku": a.position.sku,
                "on_hand": str(a.position.on_hand),
                "avg_daily_sell_through": str(a.avg_daily_sell_through),
                "safety_stock": str(a.safety_stock),
                "suggested_qty": str(a.suggested_qty),
                "flags": list(a.flags),
                "draft_order_no": result.drafts.get(a.position.dealer_code) if a.suggested_qty > 0 else None,
            }
            for a in result.assessments
        ],
        "drafts": result.drafts,
        "refused": [
            {"dealer_code": r.dealer_code, "status": r.status, "reasons": list(r.reasons)}
            for r in result.refused
        ],
    }


def replenishment_markdown(summary: dict[str, Any]) -> str:
    """The artifact: one row per dealer × SKU, then the refused drafts with their reasons."""
    rows = [
        [
            r["dealer_code"],
            r["sku"],
            r["on_hand"],
            r["avg_daily_sell_through"],
            r["safety_stock"],
            r["suggested_qty"],
            ", ".join(r["flags"]) or "—",
            r["draft_order_no"] or "—",
        ]
        for r in summary["rows"]
    ]
    headers = ["dealer", "sku", "on hand", "avg/day", "safety stock", "suggested", "flags", "draft order"]
    text = markdown_table(f"Replenishment {summary['as_of']}", headers, rows)
    if summary["refused"]:
        text += "\nDrafts refused by the ordering pipeline (not placed):\n"
        text += "".join(
            f"- {r['dealer_code']} ({r['status']}): {'; '.join(r['reasons'])}\n" for r in summary["refused"]
        )
    return text


@flow(name="replenishment", validate_parameters=True)
def replenishment(
    as_of: date | None = None,
    database_url: str | None = None,
    cover_days: int = 14,
    window_days: int = 30,
    overdue_days: int = 90,
    slow_below: float = 5,
    fast_above: float = 50,
    expiring_within_days: int = 30,
    dealer_codes: list[str] | None = None,
    draft: bool = True,
    outbox_target: str = "erp",
) -> dict[str, Any]:
    """Safety stock, health flags and draft orders for ``as_of`` (default: today, Beijing time)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    day = as_of or datetime.now(ZoneInfo("Asia/Shanghai")).date()
    policy = ReplenishmentPolicy(
        cover_days=cover_days,
        window_days=window_days,
        overdue_days=overdue_days,
        slow_below=Decimal(str(slow_below)),
        fast_above=Decimal(str(fast_above)),
        expiring_within_days=expiring_within_days,
    )
    summary = replenishment_step(day, database_url, policy, dealer_codes, draft, outbox_target)
    create_markdown_artifact(
        markdown=replenishment_markdown(summary), key="replenishment", description="dmshub replenishment"
    )
    get_run_logger().info(
        "replenishment %s: %d positions, %d drafts, %d refused",
        day,
        len(summary["rows"]),
        len(summary["drafts"]),
        len(summary["refused"]),
    )
    return summary
