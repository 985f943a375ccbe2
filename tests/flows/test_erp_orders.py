"""ERP-originated sales orders (entered in SAP or Fusion by sales staff) → canonical orders with
reservations: from documents, live from the SAP OData and Fusion sandboxes (with a cursor),
and through the flow's task with a connector config file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from canonical_model.errors import ConfigError
from canonical_model.store.batch import load_state
from canonical_model.tables import dealers, external_refs, orders, outbox, quarantine, reservations
from connectors.oracle_fusion.sandbox import SANDBOX_PASSWORD as FUSION_PASSWORD
from connectors.oracle_fusion.sandbox import SANDBOX_URL as FUSION_URL
from connectors.oracle_fusion.sandbox import SANDBOX_USER as FUSION_USER
from connectors.oracle_fusion.sandbox import FusionSandbox
from connectors.oracle_fusion.source import OracleFusionSource
from connectors.sap_odata.sandbox import SalesOrderSandbox
from connectors.sap_odata.sandbox_orders import render
from connectors.sap_odata.source import SapODataSource
from connectors.sap_odata.spec import SANDBOX_PASSWORD, SANDBOX_URL, SANDBOX_USER
from dms_core.ordering import place_order
from flows.erp_orders import (
    QUARANTINE_CONNECTOR,
    erp_orders_import,
    from_sap_odata,
    import_erp_orders,
    import_orders_task,
    load_staged_orders,
    read_erp_orders,
    summary_markdown,
)
from tests.dms_core.ordering_support import assert_consistent, request, seed_world, settings, update

D = Decimal
CREATED = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
SAP_CONFIG = {"base_url": SANDBOX_URL, "username": SANDBOX_USER, "password": SANDBOX_PASSWORD, "page_size": 3}
FUSION_CONFIG = {
    "base_url": FUSION_URL,
    "auth": {"type": "basic", "username": FUSION_USER, "password": FUSION_PASSWORD},
    "page_size": 2,
    "uom_codes": {"EA": "Ea"},
}


def add_sap_order(
    sap: SalesOrderSandbox,
    number: str,
    sold_to: str,
    reference: str | None,
    items: list[tuple[str, str, str]],
    changed: datetime = CREATED,
) -> None:
    sap.book.add(
        {
            "SalesOrder": number,
            "SalesOrderType": "OR",
            "SalesOrganization": "1710",
            "SoldToParty": sold_to,
            "PurchaseOrderByCustomer": reference,
            "SalesOrderDate": CREATED.date(),
            "CreationDate": CREATED,
            "LastChangeDateTime": changed,
            "CreatedByUser": "SALES.WANG",
            "to_Item": [
                {
                    "SalesOrderItem": str(10 * (i + 1)),
                    "Material": m,
                    "RequestedQuantity": q,
                    "RequestedQuantityUnit": u,
                }
                for i, (m, q, u) in enumerate(items)
            ],
        }
    )


def sap_sandbox(our_order_no: str, **options: Any) -> SalesOrderSandbox:
    """Four orders in the S/4HANA sandbox, all changed at the same instant."""
    sap = SalesOrderSandbox(customers=["DA", "DB", "DC"], materials=["MILK", "FORMULA", "BUTTER"], **options)
    add_sap_order(sap, "4000001", "DA", "TEL-0815", [("MILK", "2", "CS")])  # grade A, small: approved at once
    add_sap_order(sap, "4000002", "DC", None, [("FORMULA", "6", "PC")])  # grade C: the ERP document approves
    add_sap_order(sap, "4000003", "DB", None, [("BUTTER", "12", "PC")])  # BUTTER: authorised to nobody
    add_sap_order(sap, "4000004", "DA", our_order_no, [("MILK", "1", "CS")])  # pushed by the hub earlier
    return sap


def sap_orders(our_order_no: str) -> list[dict[str, Any]]:
    """The four orders as ``A_SalesOrder?$expand=to_Item`` returns them."""
    sap = sap_sandbox(our_order_no)
    return [render(o, sap.root, expand_items=True) for o in sap.book.orders.values()]


def counts(engine: Engine) -> tuple[int, int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (orders, reservations, outbox, quarantine)
        )


def test_erp_orders_become_released_orders_with_reservations_exactly_once(engine: Engine) -> None:
    seed_world(engine)
    ours = place_order(
        engine, request(idempotency_key="portal-1"), settings=settings(outbox_target="sap-odata")
    )
    assert ours.order_no is not None
    documents = [from_sap_odata(e) for e in sap_orders(ours.order_no)]

    first = import_erp_orders(engine, documents, settings=settings(outbox_target="sap-odata"))
    before = counts(engine)
    again = import_erp_orders(engine, documents, settings=settings(outbox_target="sap-odata"))

    assert set(first.released) == {"4000001", "4000002"} and first.ours == ["4000004"]
    assert list(first.quarantined) == ["4000003"] and "BUTTER" in first.quarantined["4000003"]
    assert again.released == {} and again.already == first.released and again.ours == ["4000004"]
    assert counts(engine) == before  # the rerun created nothing: no order, reservation, message, case
    with engine.connect() as conn:
        released = {
            r.order_no: r
            for r in conn.execute(sa.select(orders).where(orders.c.order_no.in_(first.released.values())))
        }
        refs: dict[str, str] = dict(
            conn.execute(
                sa.select(external_refs.c.external_id, external_refs.c.entity_key).where(
                    external_refs.c.system == "sap-odata"
                )
            )
            .tuples()
            .all()
        )
        reserved: dict[str, Decimal] = dict(
            conn.execute(
                sa.select(reservations.c.order_no, sa.func.sum(reservations.c.qty)).group_by(
                    reservations.c.order_no
                )
            )
            .tuples()
            .all()
        )
        messages = conn.execute(sa.select(outbox.c.entity_key)).scalars().all()
        case = conn.execute(sa.select(quarantine).where(quarantine.c.connector == QUARANTINE_CONNECTOR)).one()
    assert {r.status for r in released.values()} == {"released_to_erp"}
    assert {r.origin for r in released.values()} == {"erp"}
    assert refs == first.released
    assert reserved[first.released["4000001"]] == D(48) and reserved[first.released["4000002"]] >= D(6)
    assert released[first.released["4000002"]].approved_by == "sap-odata:SALES.WANG"
    assert messages == [ours.order_no]  # only the hub's own order waits to be pushed to SAP
    assert (case.stream, case.record_key, case.status, case.rule) == (
        "sap-odata",
        "4000003",
        "open",
        "not_authorized_in_territory",
    )
    assert_consistent(engine)
    markdown = summary_markdown("sap-odata", again)
    assert "| 4000001 | already imported |" in markdown and "| 4000003 | quarantined |" in markdown


def test_an_order_refused_for_credit_is_quarantined_and_released_once_credit_fits(
    engine: Engine, tmp_path: Path
) -> None:
    seed_world(engine)
    update(engine, dealers, {"code": "DC"}, credit_limit=D(100))
    staged = tmp_path / "erp-orders.json"
    staged.write_text(json.dumps({"d": {"results": sap_orders("none")[1:2]}}), encoding="utf-8")
    [document] = load_staged_orders(staged)

    held = import_erp_orders(engine, [document], settings=settings())
    update(engine, dealers, {"code": "DC"}, credit_limit=D(50_000))
    later = import_erp_orders(engine, [document], settings=settings())

    assert list(held.quarantined) == ["4000002"] and "credit" in held.quarantined["4000002"].lower()
    assert list(later.released) == ["4000002"]
    with engine.connect() as conn:
        status = conn.execute(sa.select(orders.c.status)).scalars().all()
        cases = [tuple(r) for r in conn.execute(sa.select(quarantine.c.status, quarantine.c.rule))]
    assert status == ["released_to_erp"]  # the same order, taken off hold: not a second one
    assert cases == [("replayed", "credit_limit_exceeded")]


def reserved_by_order(engine: Engine) -> dict[str, Decimal]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                sa.select(reservations.c.order_no, sa.func.sum(reservations.c.qty)).group_by(
                    reservations.c.order_no
                )
            )
            .tuples()
            .all()
        )


def open_cases(engine: Engine, system: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            (r.record_key, r.rule)
            for r in conn.execute(
                sa.select(quarantine.c.record_key, quarantine.c.rule)
                .where(
                    quarantine.c.connector == QUARANTINE_CONNECTOR,
                    quarantine.c.stream == system,
                    quarantine.c.status == "open",
                )
                .order_by(quarantine.c.record_key)
            )
        ]


def sap_reads(sap: SalesOrderSandbox) -> list[httpx.Request]:
    return sap.requests_to("GET", "/A_SalesOrder")


def test_sap_orders_are_read_live_with_their_items_and_a_rerun_reads_only_changes(engine: Engine) -> None:
    seed_world(engine)
    ours = place_order(
        engine, request(idempotency_key="portal-1"), settings=settings(outbox_target="sap-odata")
    )
    assert ours.order_no is not None
    sap = sap_sandbox(ours.order_no, max_page_size=2)  # pages shorter than $top=3: __next is followed
    source = SapODataSource(transport=httpx.MockTransport(sap.handle), sleep=lambda seconds: None)

    def run() -> Any:
        return read_erp_orders(
            engine, "sap-odata", SAP_CONFIG, settings=settings(outbox_target="sap-odata"), source=source
        )

    first = run()
    first_reads = sap_reads(sap)
    before = counts(engine)
    again = run()
    again_reads, after_again = sap_reads(sap)[len(first_reads) :], counts(engine)
    add_sap_order(sap, "4000005", "DB", None, [("MILK", "1", "CS")], changed=CREATED + timedelta(hours=1))
    third = run()

    assert first.read == 4 and set(first.released) == {"4000001", "4000002"} and first.ours == ["4000004"]
    assert [(r.url.params["$skip"], r.url.params["$expand"]) for r in first_reads] == [
        ("0", "to_Item"),
        ("2", "to_Item"),
    ]
    assert "to_Item" in first_reads[0].url.params["$select"].split(",")
    assert reserved_by_order(engine)[first.released["4000001"]] == D(48)  # 2 cases of 24
    assert open_cases(engine, "sap-odata") == [("4000003", "not_authorized_in_territory")]
    # The rerun asks SAP only for changes since the cursor and reads nothing new.
    assert again.read == 0 and again.released == {} and again.already == {}
    assert {r.url.params["$filter"] for r in again_reads} == {
        "LastChangeDateTime ge datetimeoffset'2026-11-02T02:00:00Z'"
    }
    assert list(again.quarantined) == ["4000003"]  # retried from the quarantine, still refused
    assert after_again == before  # no order, reservation, message or case more
    assert third.read == 1 and list(third.released) == ["4000005"]
    assert load_state(engine, QUARANTINE_CONNECTOR, "sap-odata") == {
        "LastChangeDateTime": "2026-11-02T03:00:00+00:00",
        "boundary_keys": ["4000005"],
    }
    with engine.connect() as conn:
        statuses = conn.execute(
            sa.select(orders.c.status).where(orders.c.origin == "erp").order_by(orders.c.order_no)
        ).scalars()
        assert set(statuses) == {"released_to_erp", "rejected"}  # 4000003 is kept rejected, not doubled
        assert (
            conn.execute(
                sa.select(sa.func.count()).select_from(orders).where(orders.c.origin == "erp")
            ).scalar()
            == 4
        )
    assert_consistent(engine)


def test_a_live_order_held_for_credit_is_released_by_a_later_run_without_being_read_again(
    engine: Engine,
) -> None:
    seed_world(engine)
    update(engine, dealers, {"code": "DC"}, credit_limit=D(100))
    sap = SalesOrderSandbox(customers=["DC"], materials=["FORMULA"])
    add_sap_order(sap, "4000002", "DC", None, [("FORMULA", "6", "PC")])
    source = SapODataSource(transport=httpx.MockTransport(sap.handle), sleep=lambda seconds: None)

    held = read_erp_orders(engine, "sap-odata", SAP_CONFIG, settings=settings(), source=source)
    update(engine, dealers, {"code": "DC"}, credit_limit=D(50_000))
    later = read_erp_orders(engine, "sap-odata", SAP_CONFIG, settings=settings(), source=source)

    assert held.read == 1 and "credit" in held.quarantined["4000002"].lower()
    assert later.read == 0 and list(later.released) == ["4000002"]
    with engine.connect() as conn:
        assert conn.execute(sa.select(orders.c.status)).scalars().all() == ["released_to_erp"]
        cases = [tuple(r) for r in conn.execute(sa.select(quarantine.c.status, quarantine.c.rule))]
    assert cases == [("replayed", "credit_limit_exceeded")]
    assert reserved_by_order(engine) == {later.released["4000002"]: D(7)}  # 6 FORMULA + 1 CHEESE gift


def fusion_sandbox(our_order_no: str) -> FusionSandbox:
    """Fusion orders entered by sales staff (system OPS), one the hub pushed, a draft, a broken one."""
    fusion = FusionSandbox(parties=("DA", "DB", "DC"), products=("MILK", "FORMULA", "BUTTER"))
    fusion.now = CREATED

    def line(sku: str, qty: int, uom: str) -> dict[str, Any]:
        return {"ProductNumber": sku, "OrderedQuantity": D(qty), "OrderedUOMCode": uom}

    fusion.add_order(system="OPS", source_id="F1", party="DA", lines=[line("MILK", 2, "CS")])  # 100001
    fusion.add_order(system="OPS", source_id="F2", party="DC", lines=[line("FORMULA", 6, "Ea")])  # 100002
    fusion.add_order(system="OPS", source_id="F3", party="DB", lines=[line("BUTTER", 12, "Ea")])  # 100003
    fusion.add_order(
        system="DMSHUB",
        source_id=our_order_no,
        number=our_order_no,
        party="DA",
        lines=[line("MILK", 1, "CS")],
    )  # 100004
    fusion.add_order(
        system="OPS", source_id="F5", party="DA", lines=[line("MILK", 1, "CS")], status="DOO_DRAFT"
    )  # 100005
    fusion.add_order(system="OPS", source_id="F6", party="DB", lines=[{"OrderedQuantity": D(1)}])  # 100006
    return fusion


def test_fusion_orders_are_read_live_with_their_lines_and_a_rerun_reads_only_changes(engine: Engine) -> None:
    seed_world(engine)
    ours = place_order(engine, request(idempotency_key="portal-1"), settings=settings(outbox_target="erp"))
    assert ours.order_no is not None
    fusion = fusion_sandbox(ours.order_no)
    source = OracleFusionSource(transport=fusion.transport(), sleep=lambda seconds: None)

    def run() -> Any:
        return read_erp_orders(engine, "oracle-fusion", FUSION_CONFIG, settings=settings(), source=source)

    first = run()
    list_reads = [r for r in fusion.requests if r.method == "GET"]
    before = counts(engine)
    again = run()
    again_q, after_again = fusion.requests[-1].url.params["q"], counts(engine)
    fusion.touch("OPS:F5", StatusCode="OPEN")  # the draft is submitted
    third = run()

    assert first.read == 6
    assert set(first.released) == {"100001", "100002"} and first.ours == ["100004"]
    assert first.skipped == {"100005": "a draft in Fusion"}
    assert all(r.url.params["expand"] == "lines" for r in list_reads) and len(list_reads) == 3  # 2 a page
    assert open_cases(engine, "oracle-fusion") == [
        ("100003", "not_authorized_in_territory"),
        ("100006", "unreadable"),
    ]
    reserved = reserved_by_order(engine)
    assert reserved[first.released["100001"]] == D(48) and reserved[first.released["100002"]] >= D(6)
    with engine.connect() as conn:
        refs = dict(
            conn.execute(
                sa.select(external_refs.c.external_id, external_refs.c.entity_key).where(
                    external_refs.c.system == "oracle-fusion"
                )
            )
            .tuples()
            .all()
        )
        order_date = conn.execute(
            sa.select(orders.c.order_date).where(orders.c.order_no == first.released["100001"])
        ).scalar()
    assert refs == {**first.released, **third.released}
    assert str(order_date) == "2026-11-02"  # TransactionOn 2026-11-01T18:00Z is Nov 2nd in Beijing
    assert again.read == 0 and again.released == {} and after_again == before
    assert again_q == "LastUpdateDate>='2026-11-02T02:00:06.000+00:00'"
    assert third.read == 1 and list(third.released) == ["100005"]
    assert_consistent(engine)


def test_the_task_reads_the_erp_with_a_config_file_whose_secret_comes_from_the_environment(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_world(engine)
    config = tmp_path / "sap-odata.yaml"
    config.write_text(
        yaml.safe_dump(
            {"sandbox": True, "username": SANDBOX_USER, "password": {"$env": "SAP_PW"}, "page_size": 5}
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("SAP_PW", SANDBOX_PASSWORD)
    url = engine.url.render_as_string(hide_password=False)

    first = import_orders_task.fn("sap-odata", str(config), None, "erp", url)
    again = import_orders_task.fn("sap-odata", str(config), None, "erp", url)

    # The demo system's 12 orders are for customers this store does not know: all quarantined.
    assert first["read"] == 12 and len(first["quarantined"]) == 12 and first["released"] == {}
    assert again["read"] == 0
    assert "12 documents read from sap-odata" in first["markdown"]
    assert SANDBOX_PASSWORD not in json.dumps(first)


def test_the_flow_needs_either_a_connector_config_or_a_staged_file() -> None:
    with pytest.raises(ConfigError, match="either config_path"):
        erp_orders_import.fn(system="sap-odata")
    with pytest.raises(ConfigError, match="either config_path"):
        erp_orders_import.fn(system="sap-odata", config_path="a.yaml", staged_path="b.json")


def test_an_unknown_system_is_a_config_error(engine: Engine) -> None:
    with pytest.raises(ConfigError, match="sap-odata or oracle-fusion"):
        read_erp_orders(engine, "sap-rfc", {}, settings=settings())
