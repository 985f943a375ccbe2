"""Dealer health: an A/B/C grade per dealer and month, and the grade the ordering service uses.

Four components, each scored 0..1 (:func:`grade_dealer`, pure):

- ``order_volume``: sell-in amount of the month (see :mod:`dms_core.channel.volumes`)
  ÷ the target for the dealer's level, capped at 1.
- ``payment``: payment-plan lines due in the month paid in full by their due date,
  over those lines plus the dealer's receivables overdue at the month's end (the
  receivables table is a snapshot of what is open now). A line's payment date is when
  the order's succeeded payments, taken in time order, first covered it (plan lines are
  paid in ``seq`` order, as :mod:`flows.payments` allocates them). Lines not yet due on
  ``as_of`` do not count. No line due and nothing overdue: no score.
- ``diversion``: 1 − ``diversion_penalty`` per diversion alert open against the
  dealer (raised before the month's end), floored at 0.
- ``sell_through``: sell-through rate ÷ ``sell_through_target``, capped at 1; no score
  when nothing was received.

The score is the weighted mean of the components that have a score (weights of the
others are left out rather than guessed). ``score >= grade_a`` → A, ``>= grade_b`` → B,
else C; an open diversion alert caps the grade at ``cap_on_open_diversion``.

The grade feeds auto-approval without any hook: :func:`recompute_health` writes it to
``dealers.grade``, which the ordering service reads under the dealer lock for every order
(``OrderingSettings.auto_approval_limits`` per grade; grade C: never automatic).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from canonical_model.errors import ValidationError
from canonical_model.store.merge import merge_rows
from canonical_model.tables import (
    channel_alerts,
    dealer_health,
    dealers,
    order_payment_plan,
    orders,
    payments,
    receivables,
    utcnow,
)
from dms_core.channel.periods import BUSINESS_TZ, Period
from dms_core.channel.volumes import receipt_rows, sell_in_rows, sell_through_rows

__all__ = ["COMPONENTS", "DealerHealth", "HealthFacts", "HealthSettings", "grade_dealer", "recompute_health"]

COMPONENTS = ("order_volume", "payment", "diversion", "sell_through")
_PLACES = Decimal("0.000001")


def _frozen(values: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthSettings:
    """Weights, targets and grade thresholds (see the module docstring)."""

    weights: Mapping[str, Decimal] = field(
        default_factory=lambda: _frozen(
            {
                "order_volume": Decimal("0.3"),
                "payment": Decimal("0.3"),
                "diversion": Decimal("0.2"),
                "sell_through": Decimal("0.2"),
            }
        )
    )
    volume_targets: Mapping[int, Decimal] = field(
        default_factory=lambda: _frozen(
            {1: Decimal(1_000_000), 2: Decimal(100_000), 3: Decimal(20_000), 4: Decimal(5_000)}
        )
    )
    sell_through_target: Decimal = Decimal("0.8")
    diversion_penalty: Decimal = Decimal("0.5")
    grade_a: Decimal = Decimal("0.8")
    grade_b: Decimal = Decimal("0.5")
    cap_on_open_diversion: str | None = "C"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.weights) - set(COMPONENTS))
        if unknown or any(w < 0 for w in self.weights.values()) or not any(self.weights.values()):
            raise ValidationError(
                f"health weights must be non-negative, not all zero, over {', '.join(COMPONENTS)}"
            )
        if not Decimal(0) <= self.grade_b <= self.grade_a <= Decimal(1):
            raise ValidationError("health thresholds need 0 <= grade_b <= grade_a <= 1")
        if self.cap_on_open_diversion not in (None, "A", "B", "C"):
            raise ValidationError("cap_on_open_diversion must be A, B, C or None")
        if self.sell_through_target <= 0 or any(t <= 0 for t in self.volume_targets.values()):
            raise ValidationError("health targets must be positive")


@dataclass(frozen=True, slots=True)
class HealthFacts:
    """What one dealer did in one month: the inputs of :func:`grade_dealer`."""

    level: int
    sell_in_amount: Decimal = Decimal(0)
    plan_lines_due: int = 0
    plan_lines_on_time: int = 0
    overdue_receivables: int = 0
    open_diversions: int = 0
    units_sold: Decimal = Decimal(0)
    units_received: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class DealerHealth:
    """A dealer's grade for a month, the score and each component's score and inputs."""

    dealer_code: str
    period: str
    grade: str
    score: Decimal
    components: dict[str, Any]


def _ratio(value: Decimal, target: Decimal) -> Decimal:
    return min(Decimal(1), value / target)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(_PLACES, rounding=ROUND_HALF_UP), "f")


def grade_dealer(facts: HealthFacts, settings: HealthSettings) -> tuple[str, Decimal, dict[str, Any]]:
    """(grade, score, components JSON) from one dealer's facts (pure)."""
    target = settings.volume_targets.get(facts.level)
    checked = facts.plan_lines_due + facts.overdue_receivables
    scores: dict[str, Decimal | None] = {
        "order_volume": None if target is None else _ratio(facts.sell_in_amount, target),
        "payment": None if checked == 0 else Decimal(facts.plan_lines_on_time) / Decimal(checked),
        "diversion": max(Decimal(0), Decimal(1) - settings.diversion_penalty * facts.open_diversions),
        "sell_through": (
            None
            if facts.units_received <= 0
            else _ratio(facts.units_sold / facts.units_received / settings.sell_through_target, Decimal(1))
        ),
    }
    weighted = [(settings.weights.get(k, Decimal(0)), s) for k, s in scores.items() if s is not None]
    total_weight = sum((w for w, _ in weighted), Decimal(0))
    raw = sum((w * s for w, s in weighted), Decimal(0)) / total_weight if total_weight else Decimal(0)
    score = raw.quantize(_PLACES, rounding=ROUND_HALF_UP)
    grade = "A" if score >= settings.grade_a else "B" if score >= settings.grade_b else "C"
    capped = False
    cap = settings.cap_on_open_diversion
    if facts.open_diversions and cap is not None and grade < cap:
        grade, capped = cap, True
    components: dict[str, Any] = {
        "order_volume": {
            "score": _text(scores["order_volume"]),
            "sell_in_amount": _text(facts.sell_in_amount),
            "target": _text(target),
        },
        "payment": {
            "score": _text(scores["payment"]),
            "plan_lines_due": facts.plan_lines_due,
            "plan_lines_on_time": facts.plan_lines_on_time,
            "overdue_receivables": facts.overdue_receivables,
        },
        "diversion": {"score": _text(scores["diversion"]), "open_alerts": facts.open_diversions},
        "sell_through": {
            "score": _text(scores["sell_through"]),
            "units_sold": _text(facts.units_sold),
            "units_received": _text(facts.units_received),
        },
        "weights": {k: _text(v) for k, v in settings.weights.items()},
        "capped_by_diversion": capped,
    }
    return grade, score, components


def _local_date(moment: datetime) -> date:
    return moment.astimezone(BUSINESS_TZ).date()


def _punctuality(
    conn: sa.Connection, codes: Sequence[str], period: Period, as_of: date
) -> dict[str, tuple[int, int]]:
    """Per dealer: (plan lines due in the period by ``as_of``, of which paid on time)."""
    p = order_payment_plan
    plan = conn.execute(
        sa.select(orders.c.dealer_code, p.c.order_no, p.c.seq, p.c.amount, p.c.due_date)
        .join(orders, orders.c.order_no == p.c.order_no)
        .where(orders.c.dealer_code.in_(codes), orders.c.status != "cancelled", p.c.status != "cancelled")
        .order_by(p.c.order_no, p.c.seq)
    ).all()
    due_orders = sorted(
        {r.order_no for r in plan if r.due_date and period.first_day <= r.due_date <= period.last_day}
    )
    paid: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    for order_no, amount, paid_at, created_at in conn.execute(
        sa.select(payments.c.order_no, payments.c.amount, payments.c.paid_at, payments.c.created_at)
        .where(
            payments.c.order_no.in_(due_orders),
            payments.c.status == "succeeded",
            payments.c.deleted_at.is_(None),
        )
        .order_by(payments.c.order_no, sa.func.coalesce(payments.c.paid_at, payments.c.created_at))
    ):
        paid[order_no].append((_local_date(paid_at or created_at), amount))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    needed: dict[str, Decimal] = defaultdict(Decimal)
    for row in plan:
        needed[row.order_no] += row.amount
        due = row.due_date
        if row.order_no not in due_orders or due is None or not period.first_day <= due <= period.last_day:
            continue
        covered_on = _covered_on(paid[row.order_no], needed[row.order_no])
        if covered_on is None and due >= as_of:
            continue  # not due yet and not paid yet: neither on time nor late
        counts[row.dealer_code][0] += 1
        if covered_on is not None and covered_on <= due:
            counts[row.dealer_code][1] += 1
    return {code: (c[0], c[1]) for code, c in counts.items()}


def _covered_on(paid: Sequence[tuple[date, Decimal]], needed: Decimal) -> date | None:
    running = Decimal(0)
    for day, amount in paid:
        running += amount
        if running >= needed:
            return day
    return None


def _count_by_dealer(conn: sa.Connection, query: sa.Select[Any]) -> dict[str, int]:
    return {code: int(n) for code, n in conn.execute(query)}


def _facts(conn: sa.Connection, period: Period, codes: Sequence[str], as_of: date) -> dict[str, HealthFacts]:
    levels: dict[str, int] = {
        code: int(level)
        for code, level in conn.execute(
            sa.select(dealers.c.code, dealers.c.level).where(dealers.c.code.in_(codes))
        )
    }
    amount: dict[str, Decimal] = defaultdict(Decimal)
    for row in sell_in_rows(conn, period, codes):
        amount[row.dealer_code] += row.amount or Decimal(0)
    sold: dict[str, Decimal] = defaultdict(Decimal)
    for row in sell_through_rows(conn, period, codes):
        sold[row.dealer_code] += row.qty
    received: dict[str, Decimal] = defaultdict(Decimal)
    for row in receipt_rows(conn, period, codes):
        received[row.dealer_code] += row.qty
    punctual = _punctuality(conn, codes, period, as_of)
    overdue = _count_by_dealer(
        conn,
        sa.select(receivables.c.dealer_code, sa.func.count())
        .where(
            receivables.c.dealer_code.in_(codes),
            receivables.c.amount_open > 0,
            receivables.c.due_date < min(period.next_first_day, as_of),
            receivables.c.deleted_at.is_(None),
        )
        .group_by(receivables.c.dealer_code),
    )
    diversions = _count_by_dealer(
        conn,
        sa.select(channel_alerts.c.dealer_code, sa.func.count())
        .where(
            channel_alerts.c.dealer_code.in_(codes),
            channel_alerts.c.kind == "diversion",
            channel_alerts.c.status == "open",
            channel_alerts.c.raised_at < period.end,
        )
        .group_by(channel_alerts.c.dealer_code),
    )
    return {
        code: HealthFacts(
            level=int(levels[code]),
            sell_in_amount=amount[code],
            plan_lines_due=punctual.get(code, (0, 0))[0],
            plan_lines_on_time=punctual.get(code, (0, 0))[1],
            overdue_receivables=overdue.get(code, 0),
            open_diversions=diversions.get(code, 0),
            units_sold=sold[code],
            units_received=received[code],
        )
        for code in codes
    }


def recompute_health(
    conn: sa.Connection,
    period: Period | str,
    *,
    settings: HealthSettings | None = None,
    dealer_codes: Sequence[str] | None = None,
    as_of: date | None = None,
    apply_grade: bool = True,
) -> list[DealerHealth]:
    """Grade every live dealer below the brand (or those named) for ``period``, in the caller's transaction.

    Writes ``dealer_health`` (one row per dealer and period, replaced on rerun) and, with
    ``apply_grade``, sets ``dealers.grade`` — the grade auto-approval uses from the next
    order on. ``as_of`` (default: today in China) decides which payment-plan lines are due.
    """
    month = period if isinstance(period, Period) else Period.parse(period)
    settings = settings or HealthSettings()
    today = as_of or datetime.now(BUSINESS_TZ).date()
    query = sa.select(dealers.c.code).where(dealers.c.deleted_at.is_(None), dealers.c.level >= 1)
    if dealer_codes is not None:
        query = query.where(dealers.c.code.in_(sorted(set(dealer_codes))))
    codes = list(conn.execute(query.order_by(dealers.c.code)).scalars())
    if not codes:
        return []
    graded = []
    for code, facts in _facts(conn, month, codes, today).items():
        grade, score, components = grade_dealer(facts, settings)
        graded.append(DealerHealth(code, str(month), grade, score, components))
    now = utcnow()
    merge_rows(
        conn,
        dealer_health,
        [
            {
                "dealer_code": h.dealer_code,
                "period": h.period,
                "grade": h.grade,
                "score": h.score,
                "components": h.components,
                "computed_at": now,
            }
            for h in graded
        ],
        lineage={"source_system": "dms.health"},
    )
    if apply_grade:
        for h in graded:
            conn.execute(
                dealers.update()
                .where(
                    dealers.c.code == h.dealer_code,
                    sa.or_(dealers.c.grade.is_(None), dealers.c.grade != h.grade),
                )
                .values(grade=h.grade)
            )
    return graded
