"""The ``inbox`` flow: verified webhook deliveries → canonical changes, then payments → orders.

Two store steps, each a task retried only when the store is unreachable: processing the
inbox (exactly once per delivery, :func:`flows.inbox.process_inbox`) and reconciling
payments with the orders' payment plans (idempotent, :func:`flows.payments.reconcile_payments`).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.retrying import RETRY_DELAYS, store_unreachable
from flows.run_artifacts import markdown_table

__all__ = ["inbox_markdown", "inbox_processing", "process_inbox_step", "reconcile_payments_step"]


@task(name="process-inbox", retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=store_unreachable)
def process_inbox_step(receivers_path: str, database_url: str | None, limit: int) -> dict[str, int]:
    """Process up to ``limit`` pending deliveries with the receivers configured in ``receivers_path``."""
    from canonical_model.store.database import create_engine, database_errors
    from flows.inbox import process_inbox
    from flows.webhooks import load_receivers

    receivers = load_receivers(receivers_path)
    engine = create_engine(database_url)
    try:
        with database_errors(engine.url):
            result = process_inbox(engine, receivers, limit=limit)
    finally:
        engine.dispose()
    return {"processed": result.processed, "failed": result.failed, "unknown": result.unknown}


@task(
    name="reconcile-payments",
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=store_unreachable,
)
def reconcile_payments_step(database_url: str | None) -> dict[str, Any]:
    """Advance payment plans from the payments now in the store."""
    from canonical_model.store.database import create_engine, database_errors
    from flows.payments import reconcile_payments

    engine = create_engine(database_url)
    try:
        with database_errors(engine.url):
            result = reconcile_payments(engine)
    finally:
        engine.dispose()
    return {
        "lines_updated": result.lines_updated,
        "orders_reconciled": len(result.orders_reconciled),
        "quarantined": [f"{rule}: {key}" for rule, key in result.quarantined],
    }


def inbox_markdown(inbox: dict[str, int], payments: dict[str, Any]) -> str:
    """The artifact: what the inbox and the payment reconciliation did."""
    rows: list[list[Any]] = [[k, v] for k, v in inbox.items()]
    rows += [
        ["payment plan lines updated", payments["lines_updated"]],
        ["orders reconciled", payments["orders_reconciled"]],
        ["payment cases quarantined", len(payments["quarantined"])],
    ]
    text = markdown_table("Inbox", ["what", "count"], rows)
    if payments["quarantined"]:
        text += "\nNew payment cases (`dmshub quarantine list --connector payments`):\n"
        text += "".join(f"- {case}\n" for case in payments["quarantined"])
    return text


@flow(name="inbox", validate_parameters=True)
def inbox_processing(
    receivers_path: str, database_url: str | None = None, limit: int = 1000, reconcile: bool = True
) -> dict[str, Any]:
    """Process received webhooks (``receivers_path``: the same file ``dmshub serve`` uses), then payments."""
    inbox = process_inbox_step(receivers_path, database_url, limit)
    payments = (
        reconcile_payments_step(database_url)
        if reconcile
        else {"lines_updated": 0, "orders_reconciled": 0, "quarantined": []}
    )
    create_markdown_artifact(
        markdown=inbox_markdown(inbox, payments), key="inbox", description="dmshub inbox"
    )
    get_run_logger().info("inbox: %s; payments: %s", inbox, payments)
    return {"inbox": inbox, "payments": payments}
