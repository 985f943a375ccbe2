"""How a carrier track becomes ``waybills`` and ``tracking_events`` rows (shared by 快递100 and 顺丰)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.tracking import Track, TrackedWaybill, TrackEvent, event_rows, waybill_row

T0 = datetime(2024, 5, 1, tzinfo=UTC)
WAYBILL = TrackedWaybill(number="SF1", shipment_no="SH-1")


def track(*codes: str, state: str | None = None) -> Track:
    events = tuple(TrackEvent(T0 + timedelta(hours=i), code, f"e{i}") for i, code in enumerate(codes))
    return Track(WAYBILL, "shunfeng", tuple(reversed(events)), state)  # carriers may send newest first


def test_events_come_out_oldest_first_with_both_codes() -> None:
    rows = event_rows(track("54", "31", "80"), "sf")
    assert [(r["carrier_status_code"], r["status"]) for r in rows] == [
        ("54", "picked_up"),
        ("31", "in_transit"),
        ("80", "delivered"),
    ]
    assert rows[0]["shipment_no"] == "SH-1" and rows[0]["waybill_no"] == "SF1"


def test_a_waybill_without_events_is_created() -> None:
    row = waybill_row(track(), "sf")
    assert (row["status"], row["carrier_state_code"], row["event_count"], row["last_event_time"]) == (
        "created",
        None,
        0,
        None,
    )


def test_without_an_overall_state_the_newest_event_decides() -> None:
    row = waybill_row(track("54", "204"), "sf")
    assert (row["carrier_state_code"], row["status"]) == ("204", "out_for_delivery")


def test_the_carriers_overall_state_wins_over_the_newest_event() -> None:
    row = waybill_row(track("103", "1002", state="0"), "kuaidi100")
    assert (row["carrier_state_code"], row["status"]) == ("0", "in_transit")


def test_delivered_at_is_set_only_while_the_waybill_is_delivered() -> None:
    assert waybill_row(track("54", "80"), "sf")["delivered_at"] == T0 + timedelta(hours=1)
    assert waybill_row(track("54", "80", "648"), "sf")["delivered_at"] is None


def test_an_unknown_current_code_leaves_the_status_empty_for_quarantine() -> None:
    assert waybill_row(track("54", "77777"), "sf")["status"] is None


def test_the_shipment_defaults_to_the_waybill_number() -> None:
    assert TrackedWaybill(number="YT9").key == "YT9"
