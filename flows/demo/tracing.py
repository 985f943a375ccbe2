"""The demo's tracing step: coded cartons go to two dealers, terminals scan them, and one
carton turns up outside its dealer's territory.

1. commission 6 items per carton for two liquid-milk SKUs (lot and expiry in ``ilmd``);
2. pack them into four SSCC cartons;
3. ship two cartons to each of two level-1 dealers of 华南 (order and delivery bound);
4. terminals scan items in each dealer's own city — and one carton of the first dealer in the
   second dealer's city: a diversion (窜货) alert with its evidence chain, and the dealer
   frozen by the policy until a brand user resolves it.

Times are fixed (the demo's day), so running the demo again records nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from canonical_model.identifiers import gs1_check_digit, sgtin_urn, sscc_urn
from canonical_model.regions import districts, region_name
from canonical_model.tables import authorizations, channel_alerts, dealers, products, trace_events
from dms_core.tracing import (
    CodeLine,
    Scan,
    ScanResult,
    TracingPolicy,
    commission,
    pack,
    ship,
    verify_scans,
)
from flows.demo._catalog import COMPANY_PREFIX

__all__ = ["TracingDemo", "run_tracing_demo"]

_CHINA = timezone(timedelta(hours=8))
DAY = datetime(2026, 11, 2, 9, 0, tzinfo=_CHINA)
ITEMS_PER_CARTON = 6
POLICY = TracingPolicy(freeze_on=frozenset({"diversion"}))


@dataclass(frozen=True)
class TracingDemo:
    """What the step did: the scans' verdicts and the diversion alert it raised."""

    scans: list[ScanResult]
    alert_id: str
    dealer_code: str
    dealer_status: str
    evidence: list[tuple[str, str]]  # (event id, business step)


def _carton(n: int) -> str:
    body = f"0{COMPANY_PREFIX}9{n:08d}"
    return sscc_urn(body + gs1_check_digit(body))


def _setting(conn: sa.Connection) -> tuple[Sequence[Any], Sequence[Any], dict[str, str]]:
    two = conn.execute(
        sa.select(dealers.c.code, dealers.c.name)
        .where(dealers.c.parent_code == "ND-SOUTH", dealers.c.level == 2)
        .order_by(dealers.c.code)
        .limit(2)
    ).all()
    skus = conn.execute(
        sa.select(products.c.sku, products.c.gtin, products.c.name)
        .where(
            products.c.product_line_code == "LM", products.c.status == "active", products.c.gtin.is_not(None)
        )
        .order_by(products.c.sku)
        .limit(2)
    ).all()
    query = (
        sa.select(authorizations.c.dealer_code, sa.func.min(authorizations.c.region_code).label("region"))
        .where(authorizations.c.dealer_code.in_([d.code for d in two]), authorizations.c.scope_code == "LM")
        .group_by(authorizations.c.dealer_code)
    )
    territory: dict[str, str] = {r.dealer_code: r.region for r in conn.execute(query)}
    return two, skus, territory


def _scan(code: str, region: str, minutes: int, step: str = "retail_selling") -> Scan:
    return Scan(
        code, step, DAY + timedelta(days=1, minutes=minutes), region_code=region, terminal=f"POS-{region}"
    )


def run_tracing_demo(engine: sa.Engine, console: Console) -> TracingDemo:
    """Commission, pack, ship, scan; print the diversion alert with its chain and the frozen dealer."""
    with engine.begin() as conn:
        (dealer_a, dealer_b), skus, territory = _setting(conn)
        cartons: dict[str, list[str]] = {}
        lines = []
        for index, sku in enumerate([*skus, *skus], start=1):  # two cartons per dealer, one per SKU
            items = [sgtin_urn(sku.gtin, f"T{index:02d}{n:04d}") for n in range(1, ITEMS_PER_CARTON + 1)]
            cartons[_carton(index)] = items
            lines += [CodeLine(i, f"L{DAY:%y%m%d}", (DAY + timedelta(days=180)).date()) for i in items]
        commission(conn, lines, event_time=DAY)
        table = Table("carton (SSCC)", "items", "dealer", "territory", title="coded cartons shipped")
        for index, (carton, items) in enumerate(cartons.items()):
            pack(conn, carton, items, event_time=DAY + timedelta(hours=1))
            dealer = dealer_a if index < 2 else dealer_b
            ship(
                conn,
                [carton],
                dealer_code=dealer.code,
                order_no=f"TR-{dealer.code}",
                delivery_no=f"DN-{dealer.code}",
                event_time=DAY + timedelta(hours=3),
            )
            region = territory[dealer.code]
            table.add_row(
                carton, str(len(items)), f"{dealer.code} {dealer.name}", f"{region} {region_name(region)}"
            )
        console.print(table)

        home_a, home_b = (districts(territory[d.code][:4])[0].code for d in (dealer_a, dealer_b))
        carton_list = list(cartons)
        scans = [
            _scan(cartons[carton_list[0]][0], home_a, 0),
            _scan(cartons[carton_list[0]][1], home_a, 5, "inspecting"),
            _scan(cartons[carton_list[2]][0], home_b, 10),
            _scan(carton_list[1], home_b, 30, "inspecting"),  # dealer A's carton, in dealer B's city
        ]
        results = verify_scans(conn, scans, policy=POLICY, now=DAY + timedelta(days=2))
        table = Table("code", "step", "region", "verdict", title="terminal scans")
        for scan, result in zip(scans, results, strict=True):
            kinds = ", ".join(f"{f.kind} → {f.dealer_code}" for f in result.findings)
            region = f"{result.region_code} {region_name(result.region_code)}"
            table.add_row(result.code, scan.biz_step, region, kinds or result.verdict)
        console.print(table)
        return _show_alert(conn, console, results)


def _show_alert(conn: sa.Connection, console: Console, results: list[ScanResult]) -> TracingDemo:
    finding = next(f for r in results for f in r.findings if f.kind == "diversion")
    alert = conn.execute(sa.select(channel_alerts).where(channel_alerts.c.alert_id == finding.alert_id)).one()
    query = sa.select(trace_events.c.event_id, trace_events.c.biz_step).where(
        trace_events.c.event_id.in_(alert.evidence)
    )
    steps: dict[str, str] = {r.event_id: r.biz_step for r in conn.execute(query)}
    status = conn.execute(sa.select(dealers.c.status).where(dealers.c.code == alert.dealer_code)).scalar_one()
    console.print(
        f"[bold red]diversion alert {alert.alert_id}[/bold red]: {alert.code} shipped to {alert.dealer_code} "
        f"(authorised {', '.join(alert.details['authorised_regions'])}) scanned in {alert.region_code} "
        f"{region_name(alert.region_code)}",
        highlight=False,
    )
    table = Table("#", "business step", "event id", title="evidence chain")
    for number, event_id in enumerate(alert.evidence, start=1):
        table.add_row(str(number), steps.get(event_id, "?"), event_id)
    console.print(table)
    console.print(
        f"dealer {alert.dealer_code} is now [bold]{status}[/bold]"
        + (" — ordering refused until a brand user resolves the alert" if status == "frozen" else ""),
        highlight=False,
    )
    return TracingDemo(
        scans=results,
        alert_id=alert.alert_id,
        dealer_code=alert.dealer_code,
        dealer_status=status,
        evidence=[(i, steps.get(i, "?")) for i in alert.evidence],
    )
