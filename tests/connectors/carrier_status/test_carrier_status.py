"""Every carrier code the hub knows, and the canonical event it becomes (spelled out here on purpose:
changing a mapping in connectors.carrier_status must change this table too)."""

from __future__ import annotations

import pytest

from canonical_model.tables import SHIPMENT_EVENT_CODES
from connectors.carrier_status import (
    KUAIDI100_CODES,
    KUAIDI100_STATE_NAMES,
    SF_OPCODES,
    TABLES,
    CarrierCode,
    CarrierTable,
    describe,
    normalise,
)

EXPECTED: dict[CarrierTable, dict[str, str]] = {
    "kuaidi100": {
        # states 0–7 (interfaces.md §6.1) and those resultv2 adds
        "0": "in_transit",
        "1": "picked_up",
        "2": "exception",
        "3": "delivered",
        "4": "returned",
        "5": "out_for_delivery",
        "6": "returned",
        "7": "in_transit",
        "8": "in_transit",
        "14": "exception",
        # sub-states
        "101": "created",
        "102": "created",
        "103": "picked_up",
        "1001": "in_transit",
        "1002": "in_transit",
        "1003": "in_transit",
        "501": "out_for_delivery",
        "301": "delivered",
        "302": "delivered",
        "303": "delivered",
        "304": "delivered",
        "401": "cancelled",
        "201": "exception",
        "202": "exception",
        "203": "exception",
        "204": "exception",
        "205": "exception",
        "206": "exception",
        "207": "exception",
        "208": "exception",
        "209": "exception",
        "210": "cancelled",
        "10": "in_transit",
        "11": "in_transit",
        "12": "in_transit",
        "13": "exception",
    },
    "sf": {
        "50": "picked_up",
        "54": "picked_up",
        "607": "picked_up",
        "30": "in_transit",
        "31": "in_transit",
        "36": "in_transit",
        "501": "in_transit",
        "407": "in_transit",
        "99": "in_transit",
        "123": "in_transit",
        "44": "out_for_delivery",
        "204": "out_for_delivery",
        "130": "out_for_delivery",
        "80": "delivered",
        "8000": "delivered",
        "33": "exception",
        "70": "exception",
        "648": "returned",
    },
}
CASES = [(table, code, event) for table, codes in EXPECTED.items() for code, event in codes.items()]


@pytest.mark.parametrize(("table", "code", "event"), CASES, ids=[f"{t}-{c}" for t, c, _ in CASES])
def test_each_carrier_code_normalises_to_its_canonical_event(
    table: CarrierTable, code: str, event: str
) -> None:
    assert normalise(table, code) == event


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_the_tables_hold_exactly_the_codes_listed_here(table: CarrierTable) -> None:
    assert set(TABLES[table]) == set(EXPECTED[table])


def test_every_canonical_event_is_reachable_from_some_carrier_code() -> None:
    reached = {code.event for table in TABLES.values() for code in table.values()}
    assert reached == set(SHIPMENT_EVENT_CODES)


def test_the_interfaces_md_codes_are_marked_verified() -> None:
    assert all(KUAIDI100_CODES[c].verified for c in "01234567")
    assert all(SF_OPCODES[c].verified for c in ("50", "54", "30", "31", "36", "80"))
    assert not SF_OPCODES["648"].verified


@pytest.mark.parametrize("code", [None, "", "  ", "999", "A1"])
def test_an_unknown_or_empty_code_normalises_to_none_rather_than_a_guess(code: str | None) -> None:
    assert normalise("kuaidi100", code) is None and normalise("sf", code) is None


def test_codes_may_come_as_numbers_or_padded_text() -> None:
    assert normalise("sf", 80) == "delivered" and normalise("kuaidi100", " 3 ") == "delivered"


def test_each_kuaidi100_sub_state_refines_a_listed_state() -> None:
    for code, entry in KUAIDI100_CODES.items():
        if entry.parent is not None:
            assert entry.parent in KUAIDI100_CODES and KUAIDI100_CODES[entry.parent].parent is None, code


def test_kuaidi100_state_names_lead_back_to_their_codes() -> None:
    assert KUAIDI100_STATE_NAMES["签收"] == "3" and KUAIDI100_STATE_NAMES["派件"] == "5"
    assert len(KUAIDI100_STATE_NAMES) == sum(1 for e in KUAIDI100_CODES.values() if e.parent is None)


def test_describe_keeps_the_carriers_meaning() -> None:
    entry = describe("sf", "204")
    assert entry is not None and entry.meaning == "快件派送途中" and entry.event == "out_for_delivery"


def test_a_table_entry_cannot_name_an_event_outside_the_vocabulary() -> None:
    with pytest.raises(ValueError, match="canonical shipment event"):
        CarrierCode("在途", "moving")
