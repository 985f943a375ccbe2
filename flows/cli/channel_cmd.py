"""``dmshub rebates|reconcile|health|prices``: channel control from the command line.

- ``rebates recalc --period YYYY-MM [--program P]``: recompute accruals (idempotent).
- ``rebates statement --dealer D --period P``: the accruals and the lines behind them.
- ``reconcile --dealer D --period P [--csv FILE]``: shipped vs accepted per delivery (对账).
- ``health recompute --period P``: A/B/C grades (updates ``dealers.grade``).
- ``prices report FILE``: load a CSV of observed resale prices; raises price-violation alerts.
"""

from __future__ import annotations

import csv
from dataclasses import fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from canonical_model.errors import ConfigError
from dms_core.channel import (
    REPORT_COLUMNS,
    AccrualOutcome,
    PriceWatchSettings,
    observations_from_rows,
    rebate_statements,
    recalculate_rebates,
    recompute_health,
    reconcile_deliveries,
    record_observations,
    report_rows,
)
from flows.cli.context import open_engine, print_json, state_of

__all__ = ["health_app", "prices_app", "rebates_app", "reconcile"]

rebates_app = typer.Typer(help="Rebate accruals and statements.", no_args_is_help=True)
health_app = typer.Typer(help="Dealer health grades (A/B/C).", no_args_is_help=True)
prices_app = typer.Typer(help="Resale price observations and violations.", no_args_is_help=True)

Period = Annotated[str, typer.Option("--period", help="Month, YYYY-MM.")]
Dealer = Annotated[str, typer.Option("--dealer", help="Dealer code.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@rebates_app.command("recalc")
def rebates_recalc(
    ctx: typer.Context,
    period: Period,
    program: Annotated[
        list[str] | None, typer.Option("--program", help="Only this program (repeatable).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Recalculate the period's accruals; settled and paid accruals are left as they are."""
    engine = open_engine(ctx)
    with engine.begin() as conn:
        result = recalculate_rebates(conn, period, programs=program or None)
    if as_json:
        print_json([_outcome(o) for o in result.outcomes])
        return
    table = Table(
        "program", "dealer", "outcome", "status", "basis", "rebate", title=f"rebates {result.period}"
    )
    for o in result.outcomes:
        table.add_row(
            o.program_code, o.dealer_code, o.outcome, o.status, str(o.basis_amount), str(o.rebate_amount)
        )
    console = state_of(ctx).console
    console.print(table)
    console.print(
        f"written {result.count('written')}, unchanged {result.count('unchanged')}, "
        f"frozen {result.count('frozen')}, removed {result.count('removed')}",
        highlight=False,
    )


def _outcome(o: AccrualOutcome) -> dict[str, str]:
    return {f.name: str(getattr(o, f.name)) for f in fields(o)}


@rebates_app.command("statement")
def rebates_statement(ctx: typer.Context, dealer: Dealer, period: Period, as_json: AsJson = False) -> None:
    """Show a dealer's accruals for the period with the order, sell-through and receipt lines behind them."""
    engine = open_engine(ctx)
    with engine.connect() as conn:
        statements = rebate_statements(conn, dealer, period)
    if as_json:
        print_json([s.as_dict() for s in statements])
        return
    console = state_of(ctx).console
    if not statements:
        console.print(f"no rebate accruals for {dealer} in {period} (run `dmshub rebates recalc`)")
        return
    for s in statements:
        console.print(
            f"[bold]{s.program_code}[/bold] {s.program_name}: {s.status}, basis {s.basis_amount}, "
            f"rebate {s.rebate_amount}"
        )
        table = Table("#", "kind", "source", "sku", "qty", "amount")
        for line in s.lines:
            table.add_row(
                str(line.line_no),
                line.source_kind,
                line.source_ref,
                line.sku or "",
                str(line.qty or ""),
                str(line.amount or ""),
            )
        console.print(table)


def reconcile(
    ctx: typer.Context,
    dealer: Dealer,
    period: Period,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write the discrepancies to this CSV file.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Reconcile the dealer's deliveries of the period: quantities and trace codes, shipped vs accepted.

    Exit code 1 when there is any discrepancy.
    """
    engine = open_engine(ctx)
    with engine.connect() as conn:
        report = reconcile_deliveries(conn, dealer, period)
    rows = report_rows(report)
    if csv_file is not None:
        try:
            with csv_file.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(REPORT_COLUMNS))
                writer.writeheader()
                writer.writerows(rows)
        except OSError as exc:
            raise ConfigError(f"cannot write {csv_file}: {exc.strerror}") from exc
    if as_json:
        print_json(rows)
    else:
        console = state_of(ctx).console
        table = Table("shipment", "order", "status", "lines", "codes shipped", "codes received", "result")
        for d in report.deliveries:
            result = "ok" if d.ok else f"{sum(1 for r in rows if r['shipment_no'] == d.shipment_no)} issue(s)"
            table.add_row(
                d.shipment_no,
                d.order_no,
                d.status,
                str(len(d.lines)),
                str(d.shipped_codes),
                str(d.received_codes),
                result,
            )
        console.print(table)
        console.print(
            f"{len(report.deliveries)} deliveries, {len(report.discrepancies)} with discrepancies"
            + (f"; written to {csv_file}" if csv_file else ""),
            highlight=False,
        )
    if report.discrepancies:
        raise typer.Exit(1)


@health_app.command("recompute")
def health_recompute(ctx: typer.Context, period: Period, as_json: AsJson = False) -> None:
    """Grade every dealer for the period and update their grade (it drives auto-approval)."""
    engine = open_engine(ctx)
    with engine.begin() as conn:
        graded = recompute_health(conn, period)
    if as_json:
        print_json(
            [
                {
                    "dealer_code": h.dealer_code,
                    "period": h.period,
                    "grade": h.grade,
                    "score": str(h.score),
                    "components": h.components,
                }
                for h in graded
            ]
        )
        return
    table = Table(
        "dealer", "grade", "score", "volume", "payment", "diversion", "sell-through", title=f"health {period}"
    )
    for h in graded:
        c = h.components
        table.add_row(
            h.dealer_code,
            h.grade,
            str(h.score),
            *(c[k]["score"] or "n/a" for k in ("order_volume", "payment", "diversion", "sell_through")),
        )
    state_of(ctx).console.print(table)


@prices_app.command("report")
def prices_report(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV: dealer_code, sku, price, observed_at[, source, currency, ...].")
    ],
    margin: Annotated[
        str, typer.Option(help="Allowed distance below the guide price (0.05 = 5 %).")
    ] = "0.05",
    as_json: AsJson = False,
) -> None:
    """Record observed resale prices and raise a price-violation alert per dealer and product (rerunnable)."""
    try:
        settings = PriceWatchSettings(margin=Decimal(margin))
    except InvalidOperation as exc:
        raise ConfigError(f"--margin {margin!r} is not a number") from exc
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            observations = observations_from_rows(csv.DictReader(handle))
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror}") from exc
    engine = open_engine(ctx)
    with engine.begin() as conn:
        result = record_observations(conn, observations, settings)
    summary = {
        "recorded": result.recorded,
        "duplicates": result.duplicates,
        "violations": result.violations,
        "alerts_opened": result.alerts_opened,
        "alerts_updated": result.alerts_updated,
    }
    if as_json:
        print_json(summary)
        return
    state_of(ctx).console.print(
        f"recorded {result.recorded} observation(s) ({result.duplicates} already known); "
        f"{result.violations} below the guide price; alerts opened {len(result.alerts_opened)}, "
        f"extended {len(result.alerts_updated)}",
        highlight=False,
    )
