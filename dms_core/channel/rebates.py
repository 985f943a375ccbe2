"""Rebate accruals per program, dealer and month, with the statement lines that produced them.

How an accrual is computed (:func:`compute_accrual`):

- ``sell_in`` programs: the basis is the dealer's sell-in amount in the period (see
  :mod:`dms_core.channel.volumes` for which orders count), restricted to the program's
  product line if it has one. The tier picked by that amount gives the rate; the rebate
  is ``amount × rate``.
- ``sell_through`` programs: the measure is the sell-through rate, units sold on ÷ units
  received in the period (``None`` when nothing was received: no tier, no rebate). The
  tier picked by that rate gives the rate, applied to the same sell-in amount.

``rebate_accruals.basis_amount`` is always the money the rate was applied to;
``calculation`` (JSON, deterministic: no timestamps) holds the measure, the tier and the
counts. Rebates round half-up to the cent.

Programs apply to dealers at their ``dealer_level`` (any level below the brand if
unset) and to periods overlapping their validity window. Accrual statuses: ``accrued``
(recalculated freely) → ``settled`` (agreed on a statement) → ``paid``. Only ``accrued``
rows are ever rewritten or removed by :func:`recalculate_rebates`; any other status
is frozen. Recalculation is idempotent: a rerun on unchanged data changes no row (not
even ``updated_at``); a changed order rewrites the accrual and replaces its lines; a
dealer whose activity disappeared loses its ``accrued`` row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import sqlalchemy as sa

from canonical_model.store.merge import merge_rows
from canonical_model.tables import dealers, rebate_accruals, rebate_programs, rebate_statement_lines
from dms_core.channel.periods import Period
from dms_core.channel.rebate_tiers import Tier, parse_tiers, pick_tier
from dms_core.channel.volumes import (
    SourceRow,
    receipt_rows,
    sell_in_rows,
    sell_through_rows,
    total_amount,
    total_qty,
)

__all__ = [
    "RECALCULABLE_STATUS",
    "AccrualOutcome",
    "ComputedAccrual",
    "RebateProgram",
    "RecalcResult",
    "compute_accrual",
    "load_programs",
    "recalculate_rebates",
]

RECALCULABLE_STATUS = "accrued"
"""The only accrual status a recalculation may rewrite; ``settled`` and ``paid`` are frozen."""

LINEAGE = {"source_system": "dms.rebates"}
_CENT = Decimal("0.01")
_RATE_PLACES = Decimal("0.000001")

Outcome = Literal["written", "unchanged", "frozen", "removed"]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


@dataclass(frozen=True, slots=True)
class RebateProgram:
    """A rebate program as stored, tiers validated."""

    code: str
    name: str
    basis: str
    dealer_level: int | None
    product_line_code: str | None
    tiers: tuple[Tier, ...]
    valid_from: date | None
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class ComputedAccrual:
    """What one dealer earns under one program in one period, and the rows behind it."""

    program_code: str
    dealer_code: str
    period: str
    basis_amount: Decimal
    rebate_amount: Decimal
    calculation: dict[str, Any]
    lines: tuple[SourceRow, ...]


@dataclass(frozen=True, slots=True)
class AccrualOutcome:
    """What a recalculation did to one accrual."""

    program_code: str
    dealer_code: str
    period: str
    outcome: Outcome
    status: str
    basis_amount: Decimal
    rebate_amount: Decimal


@dataclass
class RecalcResult:
    """Every accrual a recalculation looked at, in program and dealer order."""

    period: str
    outcomes: list[AccrualOutcome] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        """How many accruals had this outcome."""
        return sum(1 for o in self.outcomes if o.outcome == outcome)


def load_programs(
    conn: sa.Connection, period: Period, codes: Sequence[str] | None = None
) -> list[RebateProgram]:
    """Programs valid at some day of ``period`` (all, or only ``codes``), tiers validated."""
    query = (
        sa.select(rebate_programs)
        .where(
            rebate_programs.c.deleted_at.is_(None),
            sa.or_(rebate_programs.c.valid_from.is_(None), rebate_programs.c.valid_from <= period.last_day),
            sa.or_(
                rebate_programs.c.valid_until.is_(None), rebate_programs.c.valid_until >= period.first_day
            ),
        )
        .order_by(rebate_programs.c.code)
    )
    if codes is not None:
        query = query.where(rebate_programs.c.code.in_(sorted(set(codes))))
    return [
        RebateProgram(
            r.code,
            r.name,
            r.basis,
            r.dealer_level,
            r.product_line_code,
            parse_tiers(r.code, r.tiers),
            r.valid_from,
            r.valid_until,
        )
        for r in conn.execute(query)
    ]


def compute_accrual(
    program: RebateProgram,
    dealer_code: str,
    period: Period,
    sell_in: Sequence[SourceRow],
    sold: Sequence[SourceRow] = (),
    received: Sequence[SourceRow] = (),
) -> ComputedAccrual:
    """The accrual for one dealer from its rows (pure: no database)."""
    amount = total_amount(sell_in)
    calculation: dict[str, Any] = {
        "program": program.code,
        "basis": program.basis,
        "period": str(period),
        "product_line_code": program.product_line_code,
        "sell_in_amount": _text(amount),
        "orders": len({r.ref for r in sell_in}),
    }
    lines = list(sell_in)
    measure: Decimal | None = amount
    if program.basis == "sell_through":
        units_sold, units_received = total_qty(sold), total_qty(received)
        measure = units_sold / units_received if units_received > 0 else None
        calculation.update(
            units_sold=_text(units_sold),
            units_received=_text(units_received),
            sell_through_rate=_text(None if measure is None else measure.quantize(_RATE_PLACES)),
        )
        lines += [*sold, *received]
    index = None if measure is None else pick_tier(program.tiers, measure)
    rate = Decimal(0) if index is None else program.tiers[index].rate
    rebate = (amount * rate).quantize(_CENT, rounding=ROUND_HALF_UP)
    if index is None:
        calculation["tier"] = None
    else:
        upper = program.tiers[index + 1].threshold if index + 1 < len(program.tiers) else None
        calculation["tier"] = {
            "index": index + 1,
            "from": _text(program.tiers[index].threshold),
            "below": _text(upper),
        }
    calculation.update(rate=_text(rate), rebate_amount=_text(rebate))
    return ComputedAccrual(program.code, dealer_code, str(period), amount, rebate, calculation, tuple(lines))


def _eligible_dealers(conn: sa.Connection, program: RebateProgram, codes: Sequence[str] | None) -> list[str]:
    query = sa.select(dealers.c.code).where(dealers.c.deleted_at.is_(None), dealers.c.level >= 1)
    if program.dealer_level is not None:
        query = query.where(dealers.c.level == program.dealer_level)
    if codes is not None:
        query = query.where(dealers.c.code.in_(sorted(set(codes))))
    return list(conn.execute(query.order_by(dealers.c.code)).scalars())


def _by_dealer(rows: Sequence[SourceRow]) -> dict[str, list[SourceRow]]:
    grouped: dict[str, list[SourceRow]] = defaultdict(list)
    for row in rows:
        grouped[row.dealer_code].append(row)
    return grouped


def _compute_program(
    conn: sa.Connection, program: RebateProgram, period: Period, dealer_codes: Sequence[str] | None
) -> list[ComputedAccrual]:
    eligible = _eligible_dealers(conn, program, dealer_codes)
    if not eligible:
        return []
    line = program.product_line_code
    sell_in = _by_dealer(sell_in_rows(conn, period, eligible, line))
    sold: dict[str, list[SourceRow]] = {}
    received: dict[str, list[SourceRow]] = {}
    if program.basis == "sell_through":
        sold = _by_dealer(sell_through_rows(conn, period, eligible, line))
        received = _by_dealer(receipt_rows(conn, period, eligible, line))
    active = sorted(set(sell_in) | set(sold) | set(received))
    return [
        compute_accrual(program, d, period, sell_in.get(d, []), sold.get(d, []), received.get(d, []))
        for d in active
    ]


def _line_rows(accrual: ComputedAccrual) -> list[dict[str, Any]]:
    return [
        {
            "program_code": accrual.program_code,
            "dealer_code": accrual.dealer_code,
            "period": accrual.period,
            "line_no": no,
            "source_kind": row.kind,
            "source_ref": row.ref,
            "sku": row.sku,
            "qty": row.qty,
            "amount": row.amount,
        }
        for no, row in enumerate(accrual.lines, start=1)
    ]


def _stored(conn: sa.Connection, program: str, period: str) -> dict[str, Any]:
    rows = conn.execute(
        sa.select(rebate_accruals).where(
            rebate_accruals.c.program_code == program, rebate_accruals.c.period == period
        )
    )
    return {r.dealer_code: r for r in rows}


def _stored_lines(conn: sa.Connection, program: str, period: str) -> dict[str, list[tuple[Any, ...]]]:
    t = rebate_statement_lines
    lines: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    query = (
        sa.select(t.c.dealer_code, t.c.line_no, t.c.source_kind, t.c.source_ref, t.c.sku, t.c.qty, t.c.amount)
        .where(t.c.program_code == program, t.c.period == period)
        .order_by(t.c.dealer_code, t.c.line_no)
    )
    for row in conn.execute(query):
        lines[row[0]].append(tuple(row[1:]))
    return lines


def _same(stored: Any, stored_lines: list[tuple[Any, ...]], accrual: ComputedAccrual) -> bool:
    if stored is None or stored.deleted_at is not None:
        return False
    wanted = [
        (r["line_no"], r["source_kind"], r["source_ref"], r["sku"], r["qty"], r["amount"])
        for r in _line_rows(accrual)
    ]
    return (
        stored.basis_amount == accrual.basis_amount
        and stored.rebate_amount == accrual.rebate_amount
        and stored.calculation == accrual.calculation
        and stored_lines == wanted
    )


def _delete_lines(conn: sa.Connection, program: str, dealer: str, period: str, above: int = 0) -> None:
    t = rebate_statement_lines
    conn.execute(
        sa.delete(t).where(
            t.c.program_code == program, t.c.dealer_code == dealer, t.c.period == period, t.c.line_no > above
        )
    )


def _write(conn: sa.Connection, accrual: ComputedAccrual) -> None:
    row = {
        "program_code": accrual.program_code,
        "dealer_code": accrual.dealer_code,
        "period": accrual.period,
        "basis_amount": accrual.basis_amount,
        "rebate_amount": accrual.rebate_amount,
        "status": RECALCULABLE_STATUS,
        "calculation": accrual.calculation,
        "deleted_at": None,
    }
    merge_rows(conn, rebate_accruals, [row], lineage=LINEAGE)
    lines = _line_rows(accrual)
    if lines:
        merge_rows(conn, rebate_statement_lines, lines, lineage=LINEAGE)
    _delete_lines(conn, accrual.program_code, accrual.dealer_code, accrual.period, above=len(lines))


def recalculate_rebates(
    conn: sa.Connection,
    period: Period | str,
    *,
    programs: Sequence[str] | None = None,
    dealer_codes: Sequence[str] | None = None,
) -> RecalcResult:
    """Recompute the accruals of ``period`` (all programs and dealers, or the ones named).

    Runs in the caller's transaction. Frozen accruals (status other than ``accrued``) are
    reported and left exactly as they are, lines included.
    """
    month = period if isinstance(period, Period) else Period.parse(period)
    key = str(month)
    result = RecalcResult(key)
    for program in load_programs(conn, month, programs):
        stored = _stored(conn, program.code, key)
        stored_lines = _stored_lines(conn, program.code, key)
        computed = {a.dealer_code: a for a in _compute_program(conn, program, month, dealer_codes)}
        in_scope = set(computed) | {d for d in stored if dealer_codes is None or d in set(dealer_codes)}
        for dealer in sorted(in_scope):
            existing = stored.get(dealer)
            accrual = computed.get(dealer)
            if existing is not None and existing.status != RECALCULABLE_STATUS:
                result.outcomes.append(
                    AccrualOutcome(
                        program.code,
                        dealer,
                        key,
                        "frozen",
                        existing.status,
                        existing.basis_amount,
                        existing.rebate_amount,
                    )
                )
                continue
            if accrual is None:
                _delete_lines(conn, program.code, dealer, key)
                conn.execute(
                    sa.delete(rebate_accruals).where(
                        rebate_accruals.c.program_code == program.code,
                        rebate_accruals.c.dealer_code == dealer,
                        rebate_accruals.c.period == key,
                    )
                )
                result.outcomes.append(
                    AccrualOutcome(
                        program.code, dealer, key, "removed", RECALCULABLE_STATUS, Decimal(0), Decimal(0)
                    )
                )
                continue
            outcome: Outcome = "unchanged"
            if not _same(existing, stored_lines.get(dealer, []), accrual):
                _write(conn, accrual)
                outcome = "written"
            result.outcomes.append(
                AccrualOutcome(
                    program.code,
                    dealer,
                    key,
                    outcome,
                    RECALCULABLE_STATUS,
                    accrual.basis_amount,
                    accrual.rebate_amount,
                )
            )
    return result
