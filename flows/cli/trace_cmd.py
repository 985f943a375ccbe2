"""``dmshub trace`` (commission codes, bind WMS-shipped codes) and ``dmshub alerts`` (list, resolve)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from canonical_model.errors import ConfigError
from flows.cli.context import open_engine, print_json, state_of
from flows.cli.epcis_cmd import parse_moment

app = typer.Typer(help="One item, one code: commission codes and bind shipped ones.", no_args_is_help=True)
alerts_app = typer.Typer(
    help="Channel alerts: counterfeit, duplication, diversion, mismatches.", no_args_is_help=True
)


@app.command("commission")
def commission_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with a 'code' column (and optional 'lot', 'expiry').")],
    lot: Annotated[str | None, typer.Option(help="Lot for lines without one.")] = None,
    expiry: Annotated[str | None, typer.Option(help="Expiry (YYYY-MM-DD) for lines without one.")] = None,
) -> None:
    """Commission a batch of item codes (SGTIN URNs or GS1 Digital Links): one event per lot."""
    from dms_core.tracing import commission, read_code_file

    try:
        default_expiry = date.fromisoformat(expiry) if expiry else None
    except ValueError:
        raise ConfigError(f"--expiry {expiry!r}: use YYYY-MM-DD") from None
    lines = read_code_file(file, lot=lot, expiry=default_expiry)
    engine = open_engine(ctx)
    with engine.begin() as conn:
        events = commission(conn, lines)
    state_of(ctx).console.print(
        f"commissioned {len(lines)} code(s) in {len(events)} event(s)", highlight=False
    )


@app.command("bind-shipped")
def bind_shipped_cmd(ctx: typer.Context) -> None:
    """Turn codes the WMS reported shipped into EPCIS shipping events (dealer, order, delivery)."""
    from flows.tracing import bind_shipped_codes

    events = bind_shipped_codes(open_engine(ctx))
    state_of(ctx).console.print(f"recorded {len(events)} event(s)", highlight=False)


@alerts_app.command("list")
def list_cmd(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option(help="counterfeit, duplication, diversion, ...")] = None,
    status: Annotated[str | None, typer.Option(help="open, resolved or dismissed.")] = "open",
    dealer: Annotated[str | None, typer.Option(help="Only this responsible dealer.")] = None,
    since: Annotated[str | None, typer.Option(help="Raised at or after (ISO 8601).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (with evidence).")] = False,
) -> None:
    """List alerts, newest first."""
    from dms_core.tracing import list_alerts

    engine = open_engine(ctx)
    with engine.connect() as conn:
        alerts = list_alerts(
            conn,
            kind=kind,
            status=status,
            dealer_code=dealer,
            since=parse_moment(since, "--since"),
            limit=limit,
        )
    if as_json:
        print_json(alerts)
        return
    table = Table("alert", "kind", "status", "dealer", "frozen", "region", "code", "evidence", title="alerts")
    for a in alerts:
        table.add_row(
            a["alert_id"],
            a["kind"],
            a["status"],
            a["dealer_code"] or "",
            "yes" if a["dealer_frozen"] else "",
            a["region_code"] or "",
            a["code"] or "",
            f"{len(a['evidence'])} events",
        )
    state_of(ctx).console.print(table)


@alerts_app.command("resolve")
def resolve_cmd(
    ctx: typer.Context,
    alert_id: Annotated[str, typer.Argument(help="The alert id (see `alerts list`).")],
    by: Annotated[str, typer.Option(help="Who decided (a brand user).")],
    note: Annotated[str | None, typer.Option(help="What was done.")] = None,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="A false alarm rather than handled.")] = False,
) -> None:
    """Close an alert; its dealer is unfrozen when no other open alert holds it."""
    from dms_core.tracing import dismiss_alert, resolve_alert

    engine = open_engine(ctx)
    with engine.begin() as conn:
        close = dismiss_alert if dismiss else resolve_alert
        alert = close(conn, alert_id, by=by, note=note)
    state_of(ctx).console.print(f"alert {alert_id} {alert['status']} by {by}", highlight=False)
