"""ERP-originated sales orders → canonical orders with reservations, exactly once.

Orders entered in SAP or Oracle by the brand's sales staff exist in the ERP first. Each
one goes through the DMS ordering pipeline (:func:`~dms_core.ordering.place_order`: dealer,
qualifications, authorization, pricing, stock and credit all apply) with origin ``erp``
and idempotency key ``erp:<system>:<ERP number>``; the ERP document counts as the
approval, so an order awaiting approval (or a credit hold that now fits) is approved —
re-checking credit and stock under locks and reserving — and then marked
``released_to_erp`` with the ERP number in ``external_refs``. The ordering service never
queues an ``origin = erp`` order for the outbox, so it is not pushed back to the ERP.

Exactly once across reruns: an ERP number already in ``external_refs`` is skipped, and
the idempotency key returns the order placed by an earlier run, whose status the run then
carries forward (a crash between placing and releasing is finished next time). An order
whose customer reference is one of our order numbers is ours, pushed earlier, and skipped.

A document the pipeline refuses (rejected, or credit/stock not available at approval) is
quarantined (connector ``erp-orders``, stream = the ERP system, one open entry per ERP
number) with every reason; the entry is closed once a later run gets the order through.

Where the documents come from: :func:`from_sap_odata` reads ``A_SalesOrder`` entities with
their ``to_Item`` (as ``$expand=to_Item`` returns them, e.g. staged to a JSON file by an
extract); the ``sap-odata`` sync stream carries headers only and its mapping records only
the numbers of *our* orders.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from canonical_model.errors import ConfigError, ValidationError
from canonical_model.tables import dealers, external_refs, orders, quarantine, utcnow
from dms_core.ordering import (
    DomainError,
    OrderingSettings,
    OrderLineRequest,
    OrderRequest,
    approve,
    mark_released,
    place_order,
    release_hold,
)
from flows.retrying import RETRY_DELAYS, store_unreachable
from flows.run_artifacts import markdown_table

__all__ = [
    "QUARANTINE_CONNECTOR",
    "ErpImportResult",
    "ErpSalesOrder",
    "erp_orders_import",
    "from_sap_odata",
    "import_erp_orders",
    "load_staged_orders",
]

QUARANTINE_CONNECTOR = "erp-orders"
ORIGIN = "erp"
SAP_ODATA_UNITS = {"PC": "EA", "CS": "CS", "PAK": "PK"}
"""``RequestedQuantityUnit`` → canonical unit (the inverse of the sap-odata sink's default map)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ErpSalesOrder:
    """A sales order as the ERP holds it: its number, the sold-to dealer and the lines."""

    system: str
    number: str
    dealer_code: str
    order_date: date
    lines: tuple[OrderLineRequest, ...]
    customer_reference: str | None = None
    ship_to_region_code: str | None = None
    requested_delivery_date: date | None = None
    created_by: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def idempotency_key(self) -> str:
        """``erp:<system>:<number>``: the same ERP document always finds the same order."""
        return f"{ORIGIN}:{self.system}:{self.number}"


@dataclass
class ErpImportResult:
    """ERP number → our order number (``released``), or why not."""

    released: dict[str, str] = field(default_factory=dict)
    already: dict[str, str] = field(default_factory=dict)
    ours: list[str] = field(default_factory=list)
    quarantined: dict[str, str] = field(default_factory=dict)


def from_sap_odata(
    entity: Mapping[str, Any], *, system: str = "sap-odata", units: Mapping[str, str] = SAP_ODATA_UNITS
) -> ErpSalesOrder:
    """An ``A_SalesOrder`` entity (OData V2 JSON with ``to_Item`` expanded) as an :class:`ErpSalesOrder`."""
    from connectors.sap_odata.odata import odata_date

    number = str(entity.get("SalesOrder") or "").strip()
    items = entity.get("to_Item") or {}
    items = items.get("results", []) if isinstance(items, Mapping) else items
    try:
        lines = tuple(
            OrderLineRequest(
                str(item["Material"]).strip(),
                Decimal(str(item["RequestedQuantity"])),
                units.get(str(item.get("RequestedQuantityUnit") or ""), item.get("RequestedQuantityUnit")),
            )
            for item in sorted(items, key=lambda i: int(i.get("SalesOrderItem") or 0))
        )
        ordered = odata_date(entity.get("SalesOrderDate")) or odata_date(entity.get("CreationDate"))
        wanted = odata_date(entity.get("RequestedDeliveryDate"))
    except (KeyError, ValueError, InvalidOperation) as exc:
        raise ValidationError(
            f"{system} sales order {number or '?'}: unreadable item or date: {exc}"
        ) from exc
    if not number or not entity.get("SoldToParty") or ordered is None:
        raise ValidationError(f"{system} sales order {number or '?'} lacks a number, sold-to party or date")
    return ErpSalesOrder(
        system=system,
        number=number,
        dealer_code=str(entity["SoldToParty"]).strip(),
        order_date=ordered,
        lines=lines,
        customer_reference=str(entity.get("PurchaseOrderByCustomer") or "").strip() or None,
        requested_delivery_date=wanted,
        created_by=str(entity.get("CreatedByUser") or "").strip() or None,
        raw=json.loads(json.dumps(dict(entity), default=str)),
    )


def load_staged_orders(path: Path | str, *, system: str = "sap-odata") -> list[ErpSalesOrder]:
    """ERP orders staged in a JSON or YAML file: a list of entities, or OData's ``{"d": {"results": []}}``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        data: Any = json.loads(text) if file.suffix == ".json" else yaml.safe_load(text)
    except FileNotFoundError:
        raise ConfigError(f"staged ERP orders file {file} not found") from None
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read staged ERP orders {file}: {str(exc).splitlines()[0]}") from exc
    if isinstance(data, Mapping):
        data = (data.get("d") or {}).get("results", data.get("results"))
    if not isinstance(data, list):
        raise ConfigError(f"staged ERP orders {file}: expected a list of sales orders")
    return [from_sap_odata(entity, system=system) for entity in data]


def import_erp_orders(
    engine: sa.Engine, documents: Iterable[ErpSalesOrder], *, settings: OrderingSettings
) -> ErpImportResult:
    """Turn each ERP document into a released canonical order with reservations (see the module doc)."""
    result = ErpImportResult()
    for doc in documents:
        with engine.connect() as conn:
            known = _known_order(conn, doc)
            ours = doc.customer_reference is not None and _is_our_order(conn, doc.customer_reference)
            region = (
                doc.ship_to_region_code
                or conn.execute(
                    sa.select(dealers.c.region_code).where(dealers.c.code == doc.dealer_code)
                ).scalar()
            )
        if known is not None:
            result.already[doc.number] = known
            continue
        if ours:
            result.ours.append(doc.number)
            continue
        request = OrderRequest(
            dealer_code=doc.dealer_code,
            lines=doc.lines,
            order_date=doc.order_date,
            ship_to_region_code=region,
            idempotency_key=doc.idempotency_key,
            requested_delivery_date=doc.requested_delivery_date,
            created_by=(doc.created_by or doc.system)[:64],
            origin=ORIGIN,
        )
        outcome = place_order(engine, request, settings=settings)
        if outcome.order_no is None:
            _quarantine(engine, result, doc, None, outcome.status, _reasons(outcome.failures))
            continue
        try:
            with engine.begin() as conn:
                refused = _settle(conn, doc, outcome.order_no, settings)
        except DomainError as exc:
            _quarantine(engine, result, doc, outcome.order_no, exc.code or "refused", str(exc))
            continue
        if refused is not None:
            _quarantine(engine, result, doc, outcome.order_no, refused[0], refused[1])
            continue
        with engine.begin() as conn:
            _resolve(conn, doc)
        result.released[doc.number] = outcome.order_no
    return result


def _settle(
    conn: sa.Connection, doc: ErpSalesOrder, order_no: str, settings: OrderingSettings
) -> tuple[str, str] | None:
    """Carry the order to ``released_to_erp``; ``(rule, reason)`` when it stays refused."""
    actor = f"{doc.system}:{doc.created_by or 'erp'}"[:64]
    row = conn.execute(
        sa.select(orders.c.status, orders.c.validation).where(orders.c.order_no == order_no)
    ).one()
    status = row.status
    if status == "on_hold":
        status = release_hold(conn, order_no, settings=settings, actor=actor).status
    if status == "pending_approval":
        status = approve(conn, order_no, settings=settings, actor=actor).status
    if status == "allocated":
        mark_released(conn, order_no, system=doc.system, external_id=doc.number, actor=actor)
        return None
    if status == "rejected":
        checks = (row.validation or {}).get("checks", [])
        failed = [c for c in checks if not c.get("ok") and c.get("reason_code") != "prerequisite_failed"]
        return (failed[0]["reason_code"] if failed else "rejected"), _reasons_of(failed)
    return status, f"order {order_no} is {status}; it cannot be released to {doc.system}"


def _known_order(conn: sa.Connection, doc: ErpSalesOrder) -> str | None:
    found: str | None = conn.execute(
        sa.select(external_refs.c.entity_key).where(
            external_refs.c.entity_type == "order",
            external_refs.c.system == doc.system,
            external_refs.c.external_id == doc.number,
        )
    ).scalar()
    return found


def _is_our_order(conn: sa.Connection, reference: str) -> bool:
    hit = conn.execute(
        sa.select(orders.c.order_no).where(orders.c.order_no == reference, orders.c.origin != ORIGIN)
    ).first()
    return hit is not None


def _reasons(checks: Sequence[Any]) -> str:
    return "; ".join(c.message for c in checks) or "refused"


def _reasons_of(checks: Sequence[Mapping[str, Any]]) -> str:
    return "; ".join(str(c.get("message")) for c in checks) or "rejected"


def _quarantine(
    engine: sa.Engine,
    result: ErpImportResult,
    doc: ErpSalesOrder,
    order_no: str | None,
    rule: str,
    reason: str,
) -> None:
    """One open entry per ERP number; a changed reason updates it."""
    raw = {"order_no": order_no, "document": dict(doc.raw) or _document(doc)}
    with engine.begin() as conn:
        open_entry = conn.execute(
            sa.select(quarantine.c.id, quarantine.c.reason, quarantine.c.rule).where(
                quarantine.c.connector == QUARANTINE_CONNECTOR,
                quarantine.c.stream == doc.system,
                quarantine.c.record_key == doc.number,
                quarantine.c.status == "open",
            )
        ).first()
        if open_entry is None:
            conn.execute(
                sa.insert(quarantine).values(
                    connector=QUARANTINE_CONNECTOR,
                    stream=doc.system,
                    rule=str(rule)[:100],
                    reason=reason,
                    record_key=doc.number,
                    raw=raw,
                )
            )
        elif (open_entry.reason, open_entry.rule) != (reason, rule):
            conn.execute(
                sa.update(quarantine)
                .where(quarantine.c.id == open_entry.id)
                .values(reason=reason, rule=str(rule)[:100], raw=raw)
            )
    result.quarantined[doc.number] = reason


def _resolve(conn: sa.Connection, doc: ErpSalesOrder) -> None:
    conn.execute(
        sa.update(quarantine)
        .where(
            quarantine.c.connector == QUARANTINE_CONNECTOR,
            quarantine.c.stream == doc.system,
            quarantine.c.record_key == doc.number,
            quarantine.c.status == "open",
        )
        .values(status="replayed", resolved_at=utcnow())
    )


def _document(doc: ErpSalesOrder) -> dict[str, Any]:
    return {
        "number": doc.number,
        "dealer_code": doc.dealer_code,
        "order_date": doc.order_date.isoformat(),
        "lines": [{"sku": line.sku, "qty": str(line.qty), "unit": line.unit} for line in doc.lines],
    }


def summary_markdown(system: str, result: ErpImportResult) -> str:
    """The artifact: one row per ERP document with what happened to it."""
    rows = [[number, "released", order_no, ""] for number, order_no in result.released.items()]
    rows += [[number, "already imported", order_no, ""] for number, order_no in result.already.items()]
    rows += [[number, "ours (pushed by the hub)", "", ""] for number in result.ours]
    rows += [[number, "quarantined", "", reason] for number, reason in result.quarantined.items()]
    note = (
        f"\n{len(result.quarantined)} quarantined: `dmshub quarantine list --connector "
        f"{QUARANTINE_CONNECTOR} --stream {system}`\n"
        if result.quarantined
        else ""
    )
    return (
        markdown_table(f"ERP orders from `{system}`", ["ERP number", "outcome", "order", "reason"], rows)
        + note
    )


@task(
    name="import-erp-orders",
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=store_unreachable,
)
def import_staged_orders(
    staged_path: str, system: str, outbox_target: str, database_url: str | None
) -> dict[str, Any]:
    """Read the staged documents and import them (one store step; safe to repeat)."""
    from canonical_model.store.database import create_engine, database_errors

    documents = load_staged_orders(staged_path, system=system)
    engine = create_engine(database_url)
    try:
        with database_errors(engine.url):
            result = import_erp_orders(
                engine, documents, settings=OrderingSettings(outbox_target=outbox_target)
            )
    finally:
        engine.dispose()
    return {
        "released": result.released,
        "already": result.already,
        "ours": result.ours,
        "quarantined": result.quarantined,
        "markdown": summary_markdown(system, result),
    }


@flow(name="erp-orders", validate_parameters=True)
def erp_orders_import(
    staged_path: str,
    system: str = "sap-odata",
    outbox_target: str = "erp",
    database_url: str | None = None,
) -> dict[str, Any]:
    """Import the ERP-originated sales orders staged at ``staged_path`` as canonical orders."""
    summary = import_staged_orders(staged_path, system, outbox_target, database_url)
    create_markdown_artifact(
        markdown=summary.pop("markdown"), key=f"erp-orders-{system}", description="ERP-originated orders"
    )
    get_run_logger().info(
        "erp orders from %s: %d released, %d already, %d quarantined",
        system,
        len(summary["released"]),
        len(summary["already"]),
        len(summary["quarantined"]),
    )
    return summary
