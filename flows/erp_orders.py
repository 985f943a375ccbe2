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

Where the documents come from: live from the ERP (:func:`read_erp_orders`), with the
connector config ``dmshub sync`` uses (``sap-odata`` or ``oracle-fusion``), through the
source's :meth:`order_documents` stream — ``A_SalesOrder`` with ``$expand=to_Item``, or
``salesOrdersForOrderHub`` with ``expand=lines`` — incrementally: the cursor is kept in
``sync_state`` (connector ``erp-orders``, stream = the system) and advanced after each
page's documents are imported, so a rerun reads only documents changed since (one run
per system at a time: on PostgreSQL a second one stops at the sync engine's lock). Open
quarantine entries are retried every run (a credit limit raised since, say) from the
document they hold, unless the ERP sent a newer version in the same run. A file of
``A_SalesOrder`` entities staged by an extract (:func:`load_staged_orders`) still works.

This is the only way ERP-originated orders enter the store: no mapping writes ``orders``
from an ERP stream (the ``sap-odata`` mapping records only the numbers of *our* orders;
``oracle-fusion`` has none), so every one passes the ordering pipeline and holds stock.
In Fusion, orders of the hub's own ``source_transaction_system`` are ours (skipped), and
drafts (``DOO_DRAFT``) and cancelled orders are skipped — a draft comes back when it is
submitted, since that changes its ``LastUpdateDate``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import yaml
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from canonical_model.errors import ConfigError, ValidationError
from canonical_model.store.batch import load_state
from canonical_model.store.merge_encode import json_safe
from canonical_model.tables import dealers, external_refs, orders, quarantine, sync_state, utcnow
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

if TYPE_CHECKING:
    from connectors.contract import HubSource, HubStream

__all__ = [
    "QUARANTINE_CONNECTOR",
    "SYSTEMS",
    "ErpImportResult",
    "ErpSalesOrder",
    "erp_orders_import",
    "from_oracle_fusion",
    "from_sap_odata",
    "import_erp_orders",
    "load_staged_orders",
    "read_erp_orders",
]

QUARANTINE_CONNECTOR = "erp-orders"
"""Connector name of this flow's quarantine entries and of its cursors in ``sync_state``."""
SYSTEMS = ("sap-odata", "oracle-fusion")
"""The ERPs whose orders can be read live (their source connectors)."""
ORIGIN = "erp"
SAP_ODATA_UNITS = {"PC": "EA", "CS": "CS", "PAK": "PK"}
"""``RequestedQuantityUnit`` → canonical unit (the inverse of the sap-odata sink's default map)."""
FUSION_SKIPPED = {"DOO_DRAFT": "a draft in Fusion", "CANCELED": "cancelled", "CANCELLED": "cancelled"}
"""Fusion ``StatusCode`` values that are no order (yet)."""
BUSINESS_TIMEZONE = ZoneInfo("Asia/Shanghai")
"""Fusion's ``TransactionOn`` is an instant; the order date is its day in China."""


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
    ours: bool = False
    """Known to be an order the hub pushed (Fusion: created under the hub's source system)."""
    skip_reason: str | None = None
    """Why the document is no order to import (a Fusion draft, a cancelled order)."""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def idempotency_key(self) -> str:
        """``erp:<system>:<number>``: the same ERP document always finds the same order."""
        return f"{ORIGIN}:{self.system}:{self.number}"


@dataclass
class ErpImportResult:
    """ERP number → our order number (``released``), or why not; ``read``: documents read from the ERP."""

    released: dict[str, str] = field(default_factory=dict)
    already: dict[str, str] = field(default_factory=dict)
    ours: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    quarantined: dict[str, str] = field(default_factory=dict)
    read: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The outcome as plain data (a task result)."""
        return {
            "released": self.released,
            "already": self.already,
            "ours": self.ours,
            "skipped": self.skipped,
            "quarantined": self.quarantined,
            "read": self.read,
        }


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


def from_oracle_fusion(
    entity: Mapping[str, Any],
    *,
    system: str = "oracle-fusion",
    hub_source_system: str = "DMSHUB",
    units: Mapping[str, str] | None = None,
) -> ErpSalesOrder:
    """A ``salesOrdersForOrderHub`` order with its ``lines`` as an :class:`ErpSalesOrder`.

    The ERP number is Fusion's ``OrderNumber``; the dealer its ``BuyingPartyNumber``.
    ``units`` maps Fusion UOM codes to canonical units (others are upper-cased: ``Ea`` → ``EA``).
    """
    number = str(entity.get("OrderNumber") or "").strip()
    source_system = str(entity.get("SourceTransactionSystem") or "").strip()
    lines = entity.get("lines") or []
    lines = lines.get("items", []) if isinstance(lines, Mapping) else lines
    try:
        requests = tuple(
            OrderLineRequest(
                str(line["ProductNumber"]).strip(),
                Decimal(str(line["OrderedQuantity"])),
                _fusion_unit(line.get("OrderedUOMCode"), units or {}),
            )
            for line in sorted(lines, key=_fusion_line_number)
        )
        ordered = _instant(entity.get("TransactionOn"))
    except (KeyError, ValueError, TypeError, InvalidOperation) as exc:
        raise ValidationError(
            f"{system} sales order {number or '?'}: unreadable line or date: {exc}"
        ) from exc
    if not number or not entity.get("BuyingPartyNumber") or ordered is None:
        raise ValidationError(f"{system} sales order {number or '?'} lacks a number, buying party or date")
    ours = source_system == hub_source_system
    reference = str(entity.get("SourceTransactionNumber") or "").strip() or None
    status = str(entity.get("StatusCode") or "").strip().upper()
    return ErpSalesOrder(
        system=system,
        number=number,
        dealer_code=str(entity["BuyingPartyNumber"]).strip().upper(),
        order_date=ordered.astimezone(BUSINESS_TIMEZONE).date(),
        lines=requests,
        customer_reference=reference if ours else None,
        ours=ours,
        skip_reason=FUSION_SKIPPED.get(status),
        raw=json.loads(json.dumps(dict(entity), default=str)),
    )


def _fusion_unit(code: Any, units: Mapping[str, str]) -> str | None:
    text = str(code or "").strip()
    return units.get(text, text.upper()) if text else None


def _fusion_line_number(line: Mapping[str, Any]) -> tuple[int, int]:
    number = str(line.get("SourceTransactionLineNumber") or "")
    return (int(number) if number.isdigit() else 0, int(line.get("LineId") or 0))


def _instant(value: Any) -> datetime | None:
    """A timestamp as the stream gives it (a pandas ``Timestamp``) or as stored (ISO text)."""
    if value is None or value == "":
        return None
    instant = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if instant.tzinfo is None:
        raise ValueError(f"timestamp without an offset: {value}")
    return instant


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
    engine: sa.Engine,
    documents: Iterable[ErpSalesOrder],
    *,
    settings: OrderingSettings,
    result: ErpImportResult | None = None,
) -> ErpImportResult:
    """Turn each ERP document into a released canonical order with reservations (see the module doc).

    ``result`` collects the outcomes (a new one when None): a live read passes one per run.
    """
    result = result if result is not None else ErpImportResult()
    for doc in documents:
        with engine.connect() as conn:
            known = _known_order(conn, doc)
            ours = doc.ours or (
                doc.customer_reference is not None and _is_our_order(conn, doc.customer_reference)
            )
            region = (
                doc.ship_to_region_code
                or conn.execute(
                    sa.select(dealers.c.region_code).where(dealers.c.code == doc.dealer_code)
                ).scalar()
            )
        if known is not None:
            result.already[doc.number] = known
        elif ours:
            result.ours.append(doc.number)
        elif doc.skip_reason is not None:
            result.skipped[doc.number] = doc.skip_reason
        if known is not None or ours or doc.skip_reason is not None:
            with engine.begin() as conn:  # e.g. cancelled in the ERP after it was refused here
                _resolve(conn, doc.system, doc.number, "replayed" if known else "discarded")
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
            _resolve(conn, doc.system, doc.number, "replayed")
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
    _quarantine_entry(engine, result, doc.system, doc.number, rule, reason, raw)


def _quarantine_entry(
    engine: sa.Engine,
    result: ErpImportResult,
    system: str,
    number: str,
    rule: str,
    reason: str,
    raw: Mapping[str, Any],
) -> None:
    with engine.begin() as conn:
        open_entry = conn.execute(
            sa.select(quarantine.c.id, quarantine.c.reason, quarantine.c.rule).where(
                quarantine.c.connector == QUARANTINE_CONNECTOR,
                quarantine.c.stream == system,
                quarantine.c.record_key == number,
                quarantine.c.status == "open",
            )
        ).first()
        if open_entry is None:
            conn.execute(
                sa.insert(quarantine).values(
                    connector=QUARANTINE_CONNECTOR,
                    stream=system,
                    rule=str(rule)[:100],
                    reason=reason,
                    record_key=number,
                    raw=raw,
                )
            )
        elif (open_entry.reason, open_entry.rule) != (reason, rule):
            conn.execute(
                sa.update(quarantine)
                .where(quarantine.c.id == open_entry.id)
                .values(reason=reason, rule=str(rule)[:100], raw=raw)
            )
    result.quarantined[number] = reason


def _resolve(conn: sa.Connection, system: str, number: str, status: str) -> None:
    """Close the open entry of an ERP number: ``replayed`` (imported) or ``discarded`` (no order)."""
    conn.execute(
        sa.update(quarantine)
        .where(
            quarantine.c.connector == QUARANTINE_CONNECTOR,
            quarantine.c.stream == system,
            quarantine.c.record_key == number,
            quarantine.c.status == "open",
        )
        .values(status=status, resolved_at=utcnow())
    )


def _document(doc: ErpSalesOrder) -> dict[str, Any]:
    return {
        "number": doc.number,
        "dealer_code": doc.dealer_code,
        "order_date": doc.order_date.isoformat(),
        "lines": [{"sku": line.sku, "qty": str(line.qty), "unit": line.unit} for line in doc.lines],
    }


def read_erp_orders(
    engine: sa.Engine,
    system: str,
    config: Mapping[str, Any],
    *,
    settings: OrderingSettings,
    source: HubSource[Any] | None = None,
) -> ErpImportResult:
    """Import the orders ``system`` changed since the last run, then retry the open quarantine.

    ``config`` is the connector's config with its secrets resolved (:func:`flows.sync.config.
    load_config`); ``source`` replaces the registered source (tests route its transport).
    """
    from flows.sync.engine import load_source
    from flows.sync.locks import stream_lock

    if system not in SYSTEMS:
        raise ConfigError(f"erp-orders reads {' or '.join(SYSTEMS)}, not {system!r}")
    source = source or load_source(system)
    stream, convert = _documents_of(system, source, source.parse_config(config))
    result = ErpImportResult()
    read: set[str] = set()
    with stream_lock(engine, QUARANTINE_CONNECTOR, system):
        for batch in stream.read_batches(load_state(engine, QUARANTINE_CONNECTOR, system)):
            documents = []
            for record in (json_safe(r) for r in batch.frame.to_dict("records")):
                result.read += 1
                number = str(record.get(_NUMBER_FIELD[system]) or "").strip() or "?"
                read.add(number)
                try:
                    documents.append(convert(record))
                except ValidationError as exc:
                    raw = {"document": record}
                    _quarantine_entry(engine, result, system, number, "unreadable", str(exc), raw)
            import_erp_orders(engine, documents, settings=settings, result=result)
            _save_cursor(engine, system, batch.state)
        retry = [doc for doc in _quarantined(engine, system, convert) if doc.number not in read]
        import_erp_orders(engine, retry, settings=settings, result=result)
    return result


_NUMBER_FIELD = {"sap-odata": "SalesOrder", "oracle-fusion": "OrderNumber"}


def _documents_of(
    system: str, source: HubSource[Any], config: Any
) -> tuple[HubStream, Callable[[Mapping[str, Any]], ErpSalesOrder]]:
    """The source's whole-document stream and the conversion of its rows."""
    from connectors.oracle_fusion.source import OracleFusionSource
    from connectors.sap_odata.source import SapODataSource

    if system == "sap-odata" and isinstance(source, SapODataSource):
        return source.order_documents(config), lambda row: from_sap_odata(row, system=system)
    if system == "oracle-fusion" and isinstance(source, OracleFusionSource):
        units = {fusion: canonical for canonical, fusion in config.uom_codes.items()}
        hub = config.source_transaction_system
        return source.order_documents(config), lambda row: from_oracle_fusion(
            row, system=system, hub_source_system=hub, units=units
        )
    raise ConfigError(f"the {system} source cannot read whole sales orders")


def _save_cursor(engine: sa.Engine, system: str, state: Mapping[str, Any]) -> None:
    """Keep the cursor after a page whose documents are all imported (or quarantined)."""
    key = (
        sync_state.c.connector == QUARANTINE_CONNECTOR,
        sync_state.c.stream == system,
        sync_state.c.partition == "",
    )
    with engine.begin() as conn:
        if conn.execute(sa.update(sync_state).where(*key).values(state=dict(state))).rowcount == 0:
            conn.execute(
                sa.insert(sync_state).values(
                    connector=QUARANTINE_CONNECTOR, stream=system, partition="", state=dict(state)
                )
            )


def _quarantined(
    engine: sa.Engine, system: str, convert: Callable[[Mapping[str, Any]], ErpSalesOrder]
) -> Iterator[ErpSalesOrder]:
    """The documents of the open entries of ``system``, oldest first (unreadable ones stay open)."""
    with engine.connect() as conn:
        raws = (
            conn.execute(
                sa.select(quarantine.c.raw)
                .where(
                    quarantine.c.connector == QUARANTINE_CONNECTOR,
                    quarantine.c.stream == system,
                    quarantine.c.status == "open",
                )
                .order_by(quarantine.c.id)
            )
            .scalars()
            .all()
        )
    for raw in raws:
        try:
            yield convert((raw or {}).get("document") or {})
        except ValidationError:
            continue


def summary_markdown(system: str, result: ErpImportResult) -> str:
    """The artifact: one row per ERP document with what happened to it."""
    rows = [[number, "released", order_no, ""] for number, order_no in result.released.items()]
    rows += [[number, "already imported", order_no, ""] for number, order_no in result.already.items()]
    rows += [[number, "ours (pushed by the hub)", "", ""] for number in result.ours]
    rows += [[number, "skipped", "", reason] for number, reason in result.skipped.items()]
    rows += [[number, "quarantined", "", reason] for number, reason in result.quarantined.items()]
    note = f"\n{result.read} documents read from {system}.\n"
    if result.quarantined:
        note += (
            f"\n{len(result.quarantined)} quarantined: `dmshub quarantine list --connector "
            f"{QUARANTINE_CONNECTOR} --stream {system}`\n"
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
def import_orders_task(
    system: str,
    config_path: str | None,
    staged_path: str | None,
    outbox_target: str,
    database_url: str | None,
) -> dict[str, Any]:
    """Read the documents (live from the ERP, or staged) and import them; safe to repeat."""
    from canonical_model.store.database import create_engine, database_errors
    from flows.sync.config import load_config

    settings = OrderingSettings(outbox_target=outbox_target)
    config = load_config(config_path) if config_path is not None else None
    documents = load_staged_orders(staged_path, system=system) if staged_path is not None else []
    engine = create_engine(database_url)
    try:
        with database_errors(engine.url):
            if config is not None:
                result = read_erp_orders(engine, system, config, settings=settings)
            else:
                result = import_erp_orders(engine, documents, settings=settings)
    finally:
        engine.dispose()
    return {**result.as_dict(), "markdown": summary_markdown(system, result)}


@flow(name="erp-orders", validate_parameters=True)
def erp_orders_import(
    system: str = "sap-odata",
    config_path: str | None = None,
    staged_path: str | None = None,
    outbox_target: str = "erp",
    database_url: str | None = None,
) -> dict[str, Any]:
    """Import the sales orders entered in ``system`` as canonical orders with reservations.

    ``config_path``: the connector config (as ``dmshub sync`` uses it) to read the orders
    changed since the last run live from the ERP; or ``staged_path``: a file of
    ``A_SalesOrder`` entities with ``to_Item``. Exactly one of the two.
    """
    if (config_path is None) == (staged_path is None):
        raise ConfigError("erp-orders needs either config_path (read the ERP) or staged_path (a file)")
    summary = import_orders_task(system, config_path, staged_path, outbox_target, database_url)
    create_markdown_artifact(
        markdown=summary.pop("markdown"), key=f"erp-orders-{system}", description="ERP-originated orders"
    )
    get_run_logger().info(
        "erp orders from %s: %d read, %d released, %d already, %d skipped, %d quarantined",
        system,
        summary["read"],
        len(summary["released"]),
        len(summary["already"]),
        len(summary["skipped"]),
        len(summary["quarantined"]),
    )
    return summary
