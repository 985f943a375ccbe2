"""ERP-originated sales orders (entered in SAP by sales staff) → canonical orders with reservations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.tables import dealers, external_refs, orders, outbox, quarantine, reservations
from connectors.sap_odata.sandbox import SalesOrderSandbox
from connectors.sap_odata.sandbox_orders import render
from dms_core.ordering import place_order
from flows.erp_orders import (
    QUARANTINE_CONNECTOR,
    from_sap_odata,
    import_erp_orders,
    load_staged_orders,
    summary_markdown,
)
from tests.dms_core.ordering_support import assert_consistent, request, seed_world, settings, update

D = Decimal
CREATED = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def sap_orders(our_order_no: str) -> list[dict[str, Any]]:
    """Four orders in the S/4HANA sandbox, as ``A_SalesOrder?$expand=to_Item`` returns them."""
    sap = SalesOrderSandbox(customers=["DA", "DB", "DC"], materials=["MILK", "FORMULA", "BUTTER"])
    for number, sold_to, reference, items in (
        ("4000001", "DA", "TEL-0815", [("MILK", "2", "CS")]),  # grade A, small: approved at once
        ("4000002", "DC", None, [("FORMULA", "6", "PC")]),  # grade C: the ERP document is the approval
        ("4000003", "DB", None, [("BUTTER", "12", "PC")]),  # BUTTER's line is authorised to nobody
        ("4000004", "DA", our_order_no, [("MILK", "1", "CS")]),  # pushed by the hub earlier
    ):
        sap.book.add(
            {
                "SalesOrder": number,
                "SalesOrderType": "OR",
                "SalesOrganization": "1710",
                "SoldToParty": sold_to,
                "PurchaseOrderByCustomer": reference,
                "SalesOrderDate": CREATED.date(),
                "CreationDate": CREATED,
                "LastChangeDateTime": CREATED,
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
