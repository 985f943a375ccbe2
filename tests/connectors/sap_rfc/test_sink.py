"""Sales orders into SAP through BAPI_SALESORDER_CREATEFROMDAT2, exactly once, failing every way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from connectors.errors import (
    AmbiguousOutcome,
    AuthenticationError,
    FatalConnectorError,
    RetriableConnectorError,
)
from connectors.sap_rfc.errors import BapiRejected
from connectors.sap_rfc.sandbox import LOGON, CommunicationError, LogonError, SapSandbox
from connectors.sap_rfc.sink import CREATE, SapRfcSink
from connectors.sink import Sink
from tests.connectors.conftest import SleepRecorder

ORDER: dict[str, Any] = {
    "order_no": "SO20261101-9F2C4A1B7E",
    "dealer_code": "21",
    "order_date": "2026-11-01",
    "requested_delivery_date": "2026-11-05",
    "currency": "CNY",
    "lines": [
        {"line_no": 1, "sku": "SKU-10001", "qty": Decimal(12), "unit": "EA", "net_price": Decimal("280.00")},
        {"line_no": 2, "sku": "100200", "qty": Decimal(2), "unit": "CS"},
    ],
}


def lost(after_commit: bool = False) -> CommunicationError:
    text = "connection to partner broken" if not after_commit else "partner not reached after commit"
    return CommunicationError(text, code=1, key="RFC_COMMUNICATION_FAILURE")


def make_sink(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder, **orders: Any
) -> SapRfcSink:
    return SapRfcSink(
        {**config, "orders": {"price_condition": "PR00", **orders}},
        connection_factory=sandbox.connect,
        sleep=sleeps,
    )


def functions(sandbox: SapSandbox) -> list[str]:
    return [call.function for call in sandbox.calls if call.function != "RFC_READ_TABLE"]


def test_the_sink_is_a_sink(sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder) -> None:
    assert isinstance(make_sink(sandbox, config, sleeps), Sink)


def test_an_order_becomes_one_committed_sap_order_with_alpha_keys_units_and_schedule_quantities(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    number = make_sink(sandbox, config, sleeps).submit_order(ORDER)

    assert number == "12345"
    [order] = sandbox.sales_orders()
    assert (order["VBELN"], order["BSTNK"], order["KUNNR"], order["AUART"]) == (
        "0000012345",
        "SO20261101-9F2C4A1B7E",
        "0000000021",
        "TA",
    )
    assert order["partners"] == {"AG": "0000000021", "WE": "0000000021"}
    items = [(i["POSNR"], i["MATNR"], i["KWMENG"], i["VRKME"], i["NETPR"]) for i in order["items"]]
    assert items == [
        ("000010", "SKU-10001", Decimal(12), "ST", Decimal("280.00")),
        ("000020", "000000000000100200", Decimal(2), "KAR", Decimal("279.60")),
    ]
    [create] = sandbox.calls_to(CREATE)
    assert create.params["ORDER_HEADER_IN"]["PURCH_NO_C"] == ORDER["order_no"]
    assert create.params["ORDER_SCHEDULES_IN"][1] == {
        "ITM_NUMBER": "000020",
        "SCHED_LINE": "0001",
        "REQ_QTY": Decimal(2),
        "REQ_DATE": "20261105",
    }


def test_the_commit_waits_and_runs_on_the_session_that_created_the_order(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    make_sink(sandbox, config, sleeps).submit(ORDER, idempotency_key="SO-1")

    create, commit = sandbox.calls_to(CREATE)[0], sandbox.calls_to("BAPI_TRANSACTION_COMMIT")[0]
    assert commit.params == {"WAIT": "X"}
    assert create.session == commit.session


def test_an_error_in_return_rolls_back_and_raises_the_sap_messages(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    bad = {**ORDER, "lines": [{"line_no": 1, "sku": "SKU-99999", "qty": 1}]}

    with pytest.raises(BapiRejected) as caught:
        make_sink(sandbox, config, sleeps).submit_order(bad)

    error = caught.value
    assert [(m.type, m.id, m.number) for m in error.errors] == [("E", "V1", "392"), ("E", "V4", "219")]
    assert error.remote_messages[0].startswith(
        "E V1 392: Material SKU-99999 is not defined for sales org.1000"
    )
    assert functions(sandbox) == [CREATE, "BAPI_TRANSACTION_ROLLBACK"]
    create, rollback = sandbox.calls_to(CREATE)[0], sandbox.calls_to("BAPI_TRANSACTION_ROLLBACK")[0]
    assert create.session == rollback.session
    assert sandbox.sales_orders() == [] and sleeps.calls == []


def test_a_blocked_customer_is_refused_without_retries(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    with pytest.raises(BapiRejected, match="Sold-to party 22 is blocked"):
        make_sink(sandbox, config, sleeps).submit_order({**ORDER, "dealer_code": "22"})
    assert len(sandbox.calls_to(CREATE)) == 1


def test_a_connection_lost_during_create_saves_nothing_and_the_retry_creates_exactly_one_order(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sandbox.fail_next(CREATE, lost(), after=True)  # SAP ran the BAPI; the session died before COMMIT

    number = make_sink(sandbox, config, sleeps).submit_order(ORDER)

    assert number == "12346"  # 12345 was taken by the lost LUW: a gap, as in SAP
    assert [o["VBELN"] for o in sandbox.sales_orders()] == ["0000012346"]
    assert len(sleeps.calls) == 1


def test_a_connection_lost_before_the_commit_ran_leads_to_exactly_one_order(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sandbox.fail_next("BAPI_TRANSACTION_COMMIT", lost())

    number = make_sink(sandbox, config, sleeps).submit_order(ORDER)

    assert [o["VBELN"] for o in sandbox.sales_orders()] == ["0000012346"] and number == "12346"
    assert functions(sandbox) == [CREATE, "BAPI_TRANSACTION_COMMIT", CREATE, "BAPI_TRANSACTION_COMMIT"]


def test_a_connection_lost_after_the_commit_finds_the_order_instead_of_creating_a_second(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sandbox.fail_next("BAPI_TRANSACTION_COMMIT", lost(after_commit=True), after=True)

    number = make_sink(sandbox, config, sleeps).submit_order(ORDER)

    assert number == "12345"
    assert [o["VBELN"] for o in sandbox.sales_orders()] == ["0000012345"]
    assert functions(sandbox) == [CREATE, "BAPI_TRANSACTION_COMMIT"]
    lookups = [c for c in sandbox.calls_to("RFC_READ_TABLE") if c.params.get("QUERY_TABLE") == "VBAK"]
    assert lookups and "BSTNK = 'SO20261101-9F2C4A1B7E'" in lookups[-1].params["OPTIONS"][0]["TEXT"]


def test_a_lost_commit_is_reported_as_ambiguous_not_as_a_plain_failure(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sandbox.fail_next("BAPI_TRANSACTION_COMMIT", lost(), after=True)
    with pytest.raises(AmbiguousOutcome, match="may have been committed"):
        make_sink(sandbox, config, sleeps).submit(ORDER, idempotency_key="SO-2")
    sandbox.fail_next(CREATE, lost())
    with pytest.raises(RetriableConnectorError) as caught:
        make_sink(sandbox, config, sleeps).submit(ORDER, idempotency_key="SO-3")
    assert not isinstance(caught.value, AmbiguousOutcome)


def test_a_logon_error_is_fatal_and_tried_once(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sandbox.fail_next(LOGON, LogonError("Password logon no longer possible", code=2, key="RFC_LOGON_FAILURE"))

    with pytest.raises(AuthenticationError, match="RFC_LOGON_FAILURE"):
        make_sink(sandbox, config, sleeps).submit_order(ORDER)

    assert sandbox.logons == 1 and sandbox.calls == [] and sleeps.calls == []


def test_a_wrong_password_never_appears_in_the_error(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    secret = "Wr0ng-secret-77"
    with pytest.raises(AuthenticationError) as caught:
        make_sink(sandbox, {**config, "passwd": secret}, sleeps).submit_order(ORDER)
    assert secret not in str(caught.value)


def test_an_order_sap_already_holds_is_returned_without_a_create(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    first = make_sink(sandbox, config, sleeps).submit_order(ORDER)
    again = make_sink(sandbox, config, sleeps).submit_order(ORDER)

    assert first == again == "12345"
    assert len(sandbox.calls_to(CREATE)) == 1


def test_a_reference_longer_than_bstnk_is_refused_before_anything_is_sent(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    sink = make_sink(sandbox, config, sleeps, reference_max_length=20)  # an ECC system
    with pytest.raises(FatalConnectorError, match="longer than the 20 characters"):
        sink.submit(ORDER, idempotency_key=ORDER["order_no"])
    assert sandbox.calls_to(CREATE) == []


def test_a_rolled_back_order_is_invisible_to_lookup(
    sandbox: SapSandbox, config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    connection = sandbox.connect(user=config["user"], passwd=config["passwd"], client="100", lang="ZH")
    result = connection.call(
        CREATE,
        ORDER_HEADER_IN={
            "DOC_TYPE": "TA",
            "SALES_ORG": "1000",
            "DISTR_CHAN": "10",
            "DIVISION": "00",
            "PURCH_NO_C": "SO-X",
        },
        ORDER_PARTNERS=[{"PARTN_ROLE": "AG", "PARTN_NUMB": "0000000021"}],
        ORDER_ITEMS_IN=[{"ITM_NUMBER": "000010", "MATERIAL": "SKU-10001"}],
        ORDER_SCHEDULES_IN=[{"ITM_NUMBER": "000010", "REQ_QTY": 1}],
    )
    sink = make_sink(sandbox, config, sleeps)
    assert result["SALESDOCUMENT"] == "0000012345"
    assert result["RETURN"][-1]["MESSAGE"] == "Standard Order 12345 has been saved"
    assert sink.lookup("SO-X") is None  # saved in the LUW, not committed
    connection.call("BAPI_TRANSACTION_ROLLBACK")
    connection.call("BAPI_TRANSACTION_COMMIT", WAIT="X")
    assert sink.lookup("SO-X") is None and sandbox.sales_orders() == []
