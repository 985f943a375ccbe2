"""When a flow task is retried: only when the store was unreachable.

HTTP and RFC retries already happen inside the connectors (tenacity, and the sinks'
lookup-before-retry); a second layer on top would multiply waits and, for order pushes,
could only repeat what the connector already decided. A store outage is the one failure
a task-level retry can fix. (Same rule as the ``sync-stream`` task of :mod:`flows.sync_flow`.)
"""

from __future__ import annotations

from typing import Any

from canonical_model.errors import DatabaseUnreachable

__all__ = ["RETRY_DELAYS", "store_unreachable"]

RETRY_DELAYS: list[float] = [5, 30, 120]
"""Seconds between the three retries of an I/O task."""


def store_unreachable(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry only a :class:`DatabaseUnreachable` failure."""
    try:
        state.result()
    except DatabaseUnreachable:
        return True
    except Exception:  # noqa: BLE001 - any other failure is final for this task
        return False
    return False
