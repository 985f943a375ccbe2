"""Rebate statements: a dealer's accruals for a month with the lines that produced each one."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from canonical_model.tables import rebate_accruals, rebate_programs, rebate_statement_lines
from dms_core.channel.periods import Period

__all__ = ["Statement", "StatementLine", "rebate_statements"]


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One order line, sell-through row or receipt behind an accrual."""

    line_no: int
    source_kind: str
    source_ref: str
    sku: str | None
    qty: Decimal | None
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class Statement:
    """One accrual (program × dealer × period) and its lines."""

    program_code: str
    program_name: str
    dealer_code: str
    period: str
    status: str
    basis_amount: Decimal
    rebate_amount: Decimal
    calculation: dict[str, Any] | None
    lines: tuple[StatementLine, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (decimals as strings)."""
        return {
            "program_code": self.program_code,
            "program_name": self.program_name,
            "dealer_code": self.dealer_code,
            "period": self.period,
            "status": self.status,
            "basis_amount": str(self.basis_amount),
            "rebate_amount": str(self.rebate_amount),
            "calculation": self.calculation,
            "lines": [
                {
                    "line_no": line.line_no,
                    "source_kind": line.source_kind,
                    "source_ref": line.source_ref,
                    "sku": line.sku,
                    "qty": None if line.qty is None else str(line.qty),
                    "amount": None if line.amount is None else str(line.amount),
                }
                for line in self.lines
            ],
        }


def rebate_statements(conn: sa.Connection, dealer_code: str, period: Period | str) -> list[Statement]:
    """Every accrual of ``dealer_code`` in ``period``, by program code, each with its lines."""
    key = str(period if isinstance(period, Period) else Period.parse(period))
    a, p, t = rebate_accruals, rebate_programs, rebate_statement_lines
    accruals = conn.execute(
        sa.select(a, p.c.name.label("program_name"))
        .join(p, p.c.code == a.c.program_code)
        .where(a.c.dealer_code == dealer_code, a.c.period == key, a.c.deleted_at.is_(None))
        .order_by(a.c.program_code)
    ).all()
    lines: dict[str, list[StatementLine]] = {}
    for row in conn.execute(
        sa.select(t)
        .where(t.c.dealer_code == dealer_code, t.c.period == key)
        .order_by(t.c.program_code, t.c.line_no)
    ):
        lines.setdefault(row.program_code, []).append(
            StatementLine(row.line_no, row.source_kind, row.source_ref, row.sku, row.qty, row.amount)
        )
    return [
        Statement(
            r.program_code,
            r.program_name,
            r.dealer_code,
            r.period,
            r.status,
            r.basis_amount,
            r.rebate_amount,
            r.calculation,
            tuple(lines.get(r.program_code, [])),
        )
        for r in accruals
    ]
