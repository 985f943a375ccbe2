"""Channel control beyond tracing: price watch, rebates, delivery reconciliation, dealer health.

- :mod:`~dms_core.channel.price_watch`: resale price observations → ``price_violation`` alerts.
- :mod:`~dms_core.channel.rebates` (+ ``rebate_tiers``, ``statements``): accruals per
  program, dealer and month, with the lines behind them; idempotent recalculation.
- :mod:`~dms_core.channel.reconciliation`: shipped vs accepted quantities and codes (对账).
- :mod:`~dms_core.channel.health`: A/B/C grades feeding auto-approval.

Every function takes a connection and works in the caller's transaction.
"""

from __future__ import annotations

from dms_core.channel.health import DealerHealth, HealthFacts, HealthSettings, grade_dealer, recompute_health
from dms_core.channel.periods import BUSINESS_TZ, Period
from dms_core.channel.price_watch import (
    PriceObservation,
    PriceWatchResult,
    PriceWatchSettings,
    is_violation,
    observations_from_rows,
    record_observations,
)
from dms_core.channel.rebate_tiers import Tier, parse_tiers, pick_tier
from dms_core.channel.rebates import (
    RECALCULABLE_STATUS,
    AccrualOutcome,
    RebateProgram,
    RecalcResult,
    compute_accrual,
    load_programs,
    recalculate_rebates,
)
from dms_core.channel.reconciliation import (
    REPORT_COLUMNS,
    DeliveryCheck,
    LineCheck,
    ReconciliationReport,
    reconcile_deliveries,
    report_rows,
)
from dms_core.channel.statements import Statement, StatementLine, rebate_statements
from dms_core.channel.volumes import COUNTED_ORDER_STATUSES, SourceRow

__all__ = [
    "BUSINESS_TZ",
    "COUNTED_ORDER_STATUSES",
    "RECALCULABLE_STATUS",
    "REPORT_COLUMNS",
    "AccrualOutcome",
    "DealerHealth",
    "DeliveryCheck",
    "HealthFacts",
    "HealthSettings",
    "LineCheck",
    "Period",
    "PriceObservation",
    "PriceWatchResult",
    "PriceWatchSettings",
    "RebateProgram",
    "RecalcResult",
    "ReconciliationReport",
    "SourceRow",
    "Statement",
    "StatementLine",
    "Tier",
    "compute_accrual",
    "grade_dealer",
    "is_violation",
    "load_programs",
    "observations_from_rows",
    "parse_tiers",
    "pick_tier",
    "rebate_statements",
    "recalculate_rebates",
    "recompute_health",
    "reconcile_deliveries",
    "record_observations",
    "report_rows",
]
