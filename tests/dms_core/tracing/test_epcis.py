"""EPCIS 2.0 out and in: every export passes GS1's schema, import round-trips export, bad input is refused."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from canonical_model.errors import ValidationError
from canonical_model.tables import metadata, trace_codes, trace_events
from dms_core.epcis import export_document, import_document, validate_document
from dms_core.tracing import Scan, declare_error, verify_scan
from tests.dms_core.tracing.world import MILK_GTIN, T0, case, item, item_link, load_world, ship_two_cases


def _exports(conn: sa.Connection) -> list[dict[str, Any]]:
    return [
        export_document(conn, code=item(3)),
        export_document(conn, code=item_link(3)),
        export_document(conn, code=case(2)),
        export_document(conn, order_no="SO-1"),
        export_document(conn, dealer_code="DB"),
        export_document(conn, since=T0, until=T0 + timedelta(hours=2)),
        export_document(conn, dealer_code="DA", since=T0 + timedelta(hours=2)),
    ]


def test_every_export_validates_against_the_gs1_schema(engine: sa.Engine) -> None:
    load_world(engine)
    steps = ship_two_cases(engine)
    with engine.begin() as conn:
        verify_scan(conn, Scan(item(3), "retail_selling", T0 + timedelta(days=1), region_code="440106"))
        documents = _exports(conn)
    for document in documents:
        validate_document(json.loads(json.dumps(document)))
        assert document["@context"][0] == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
        assert document["type"] == "EPCISDocument" and document["schemaVersion"] == "2.0"
    steps_of_item = [e["bizStep"] for e in documents[0]["epcisBody"]["eventList"]]
    assert steps_of_item == ["commissioning", "packing", "shipping", "retail_selling"]
    assert documents[1] == {**documents[0], "creationDate": documents[1]["creationDate"]}
    ids = {e["eventID"] for e in documents[3]["epcisBody"]["eventList"]}
    assert steps["ship_a"]["eventID"] in ids and steps["ship_b"]["eventID"] not in ids
    assert [e["bizStep"] for e in documents[5]["epcisBody"]["eventList"]] == [
        "commissioning",
        "packing",
        "packing",
    ]
    shipping = documents[3]["epcisBody"]["eventList"][2]
    assert shipping["destinationList"] == [{"type": "owning_party", "destination": "urn:dmshub:dealer:DA"}]
    assert {t["type"] for t in shipping["bizTransactionList"]} == {"po", "desadv"}


def test_import_round_trips_export(engine: sa.Engine, tmp_path: Any) -> None:
    load_world(engine)
    ship_two_cases(engine)
    with engine.begin() as conn:
        scan = verify_scan(conn, Scan(item(3), "inspecting", T0 + timedelta(days=1), region_code="440305"))
        declare_error(conn, scan.event_id, "incorrect_data")
        original = export_document(conn, since=T0)
    other = sa.create_engine(f"sqlite:///{tmp_path}/other.sqlite")
    metadata.create_all(other)
    load_world(other)
    with other.begin() as conn:
        first = import_document(conn, copy.deepcopy(original))
        again = import_document(conn, copy.deepcopy(original))
        copied = export_document(conn, since=T0)
        item_row = conn.execute(sa.select(trace_codes).where(trace_codes.c.code == item(3))).one()
    other.dispose()
    assert copied["epcisBody"] == original["epcisBody"]
    assert len(first.inserted) == len(original["epcisBody"]["eventList"]) and again.inserted == ()
    assert (item_row.owner_dealer_code, item_row.parent_code, item_row.lot, item_row.sku) == (
        "DA",
        case(1),
        "L2610",
        "MILK",
    )
    assert item_row.scan_count == 0  # the scan was declared in error: it does not count


def _document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-01T08:00:00.000+08:00",
        "epcisBody": {"eventList": list(events)},
    }


def _event(**more: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": "2026-11-01T09:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "epcList": [f"https://id.gs1.org/01/{MILK_GTIN}/21/P1"],
        **more,
    }


def test_a_partner_document_with_digital_links_and_cbv_uris_is_normalised(engine: sa.Engine) -> None:
    load_world(engine)
    document = _document(
        _event(ilmd={"cbvmda:lotNumber": "P-LOT"}),
        {
            "type": "AggregationEvent",
            "eventTime": "2026-11-01T10:00:00.000+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "ADD",
            "bizStep": "https://ref.gs1.org/cbv/BizStep-packing",
            "parentID": "https://id.gs1.org/00/069234560000000018",
            "childEPCs": [f"https://id.gs1.org/01/{MILK_GTIN}/21/P1"],
        },
    )
    with engine.begin() as conn:
        result = import_document(conn, document)
        steps = (
            conn.execute(sa.select(trace_events.c.biz_step).order_by(trace_events.c.event_time))
            .scalars()
            .all()
        )
        row = conn.execute(sa.select(trace_codes).where(trace_codes.c.kind == "item")).one()
    assert len(result.inserted) == 2 and steps == ["commissioning", "packing"]
    assert (row.code, row.lot, row.parent_code) == (
        "urn:epc:id:sgtin:6923456.000001.P1",
        "P-LOT",
        "urn:epc:id:sscc:6923456.0000000001",
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "expected a JSON object"),
        ({"type": "EPCISDocument"}, "EPCIS schema: document: '@context' is a required property"),
        (_document(_event(action="MOVE")), "eventList[0].action: 'MOVE' is not one of"),
        (_document(_event(epcLst=[])), "'epcLst' is not valid under any of the given schemas"),
        (_document(_event(eventTime="yesterday")), "eventTime: 'yesterday' is not a 'date-time'"),
        (_document(_event(epcList=["12345"])), "epcList[0]: '12345' is not a 'uri'"),
        (_document(_event(action="OBSERVE", ilmd={"cbvmda:lotNumber": "X"})), "eventList[0].ilmd"),
    ],
)
def test_malformed_documents_are_refused_with_the_schemas_message(
    engine: sa.Engine, document: Any, message: str
) -> None:
    with engine.begin() as conn, pytest.raises(ValidationError) as refused:
        import_document(conn, document)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            _event(epcList=["urn:epc:id:sgtin:6923456.000001"]),
            "event 1 (ObjectEvent) epcList[0]: invalid SGTIN",
        ),
        (
            _event(epcList=[f"https://id.gs1.org/01/{MILK_GTIN[:-1]}0/21/A"]),
            "epcList[0]: invalid SGTIN 'https://id.gs1.org/01/06923456000010/21/A': GTIN check digit",
        ),
        (
            _event(epcList=["urn:epc:id:grai:6923456.00001.1"]),
            "only SGTIN (items) and SSCC (cases) are traced",
        ),
        (
            _event(
                epcList=[],
                quantityList=[{"epcClass": "urn:epc:class:lgtin:6923456.000001.L1", "quantity": 5}],
            ),
            "class-level",
        ),
        (
            {**_event(), "type": "TransactionEvent", "bizTransactionList": [{"bizTransaction": "urn:x:1"}]},
            "not supported",
        ),
    ],
)
def test_wrong_identifiers_and_unsupported_events_are_refused_and_nothing_is_stored(
    engine: sa.Engine, event: dict[str, Any], message: str
) -> None:
    document = _document(_event(epcList=[f"https://id.gs1.org/01/{MILK_GTIN}/21/OK"]), event)
    document["epcisBody"]["eventList"].reverse()
    with engine.begin() as conn:
        with pytest.raises(ValidationError) as refused:
            import_document(conn, document)
        assert conn.execute(sa.select(sa.func.count()).select_from(trace_events)).scalar() == 0
    assert message in str(refused.value)
