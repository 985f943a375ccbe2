"""Reading EBS customers and items over SOAP: paging, incremental, time zones, failures."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import pandas as pd
import pytest
from lxml import etree  # type: ignore[import-untyped]

from connectors.errors import AuthenticationError, RemoteRejected, RetriableConnectorError
from connectors.oracle_ebs.errors import EbsApiError
from connectors.oracle_ebs.sandbox import SOAP_ENV, EbsSandbox
from connectors.oracle_ebs.source import OracleEbsSource
from tests.connectors.conftest import SleepRecorder


def streams(
    sandbox: EbsSandbox, config: dict[str, Any], sleeps: SleepRecorder | None = None
) -> dict[str, Any]:
    source = OracleEbsSource(transport=sandbox.transport(), sleep=sleeps or SleepRecorder())
    return {s.name: s for s in source.hub_streams(source.parse_config(config))}


def read_all(stream: Any, state: dict[str, Any] | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    batches = list(stream.read_batches(state))
    frame = pd.concat([b.frame for b in batches]) if batches else pd.DataFrame()
    return frame, (batches[-1].state if batches else state or {})


def inputs(sandbox: EbsSandbox) -> list[dict[str, str]]:
    """The InputParameters of every call, as {name: text}."""
    found = []
    for request in sandbox.requests:
        root = etree.fromstring(request.content)
        call = root.find(f"{{{SOAP_ENV}}}Body")[0]
        found.append({etree.QName(child).localname: child.text for child in call})
    return found


def test_customers_are_paged_until_x_has_more_is_n(ebs: EbsSandbox, ebs_config: dict[str, Any]) -> None:
    frame, _ = read_all(streams(ebs, ebs_config)["customers"])
    assert sorted(frame["ACCOUNT_NUMBER"]) == sorted(c["ACCOUNT_NUMBER"] for c in ebs.customers)
    assert frame["CUST_ACCOUNT_ID"].is_unique
    calls = inputs(ebs)
    assert len(calls) == 3 and all(c["P_LIMIT"] == "5" for c in calls)
    assert calls[0]["P_OFFSET"] == "0" and "P_LAST_UPDATE_FROM" not in calls[0]
    # Page 1 ended with the first of the two rows stamped 08:00:03 (+08:00): restart there, skip 1.
    assert (calls[1]["P_LAST_UPDATE_FROM"], calls[1]["P_OFFSET"]) == ("2024-05-01T08:00:03+08:00", "1")


def test_rows_carry_ebs_columns_with_exact_amounts_and_utc_times(
    ebs: EbsSandbox, ebs_config: dict[str, Any]
) -> None:
    frame, _ = read_all(streams(ebs, ebs_config)["customers"])
    first = frame.iloc[0]
    assert (first["CUST_ACCOUNT_ID"], first["ACCOUNT_NUMBER"], first["CUSTOMER_CLASS_CODE"]) == (
        1041,
        "D1001",
        "NATIONAL_DISTRIBUTOR",
    )
    assert first["OVERALL_CREDIT_LIMIT"] == "500000" and first["PARENT_ACCOUNT_NUMBER"] is None
    assert first["LAST_UPDATE_DATE"] == pd.Timestamp("2024-05-01T00:00:01Z")


def test_an_incremental_read_returns_only_rows_updated_since_the_saved_state(
    ebs: EbsSandbox, ebs_config: dict[str, Any]
) -> None:
    stream = streams(ebs, ebs_config)["customers"]
    _, state = read_all(stream)
    ebs.touch_customer("D1004", STATUS="I")
    frame, _ = read_all(stream, state)
    assert list(frame["ACCOUNT_NUMBER"]) == ["D1004"] and list(frame["STATUS"]) == ["I"]


def test_items_are_read_for_the_configured_organization_only(
    ebs: EbsSandbox, ebs_config: dict[str, Any]
) -> None:
    frame, _ = read_all(streams(ebs, ebs_config)["items"])
    assert set(frame["ORGANIZATION_ID"]) == {204} and len(frame) == 9
    assert all(call["P_ORGANIZATION_ID"] == "204" for call in inputs(ebs))
    frame207, _ = read_all(streams(ebs, {**ebs_config, "item_organization_id": 207})["items"])
    assert list(frame207["SEGMENT1"]) == ["FG-2001"]


def test_dates_without_an_offset_are_read_in_the_server_time_zone(ebs_config: dict[str, Any]) -> None:
    sandbox = EbsSandbox.seeded()
    sandbox.customers = sandbox.customers[:1]
    sandbox.customers[0]["LAST_UPDATE_DATE"] = datetime(2024, 6, 1, 9, 30)  # naive, as some ISG setups send
    frame, _ = read_all(streams(sandbox, ebs_config)["customers"])
    assert frame["LAST_UPDATE_DATE"].item() == pd.Timestamp("2024-06-01T01:30:00Z")


def test_wrong_credentials_fail_check_as_an_authentication_error_without_the_password(
    ebs: EbsSandbox, ebs_config: dict[str, Any]
) -> None:
    source = OracleEbsSource(transport=ebs.transport())
    assert source.check_connection(logging.getLogger("test"), ebs_config) == (True, None)
    ok, message = source.check_connection(logging.getLogger("test"), {**ebs_config, "password": "Wr0ng-pass"})
    assert not ok and message and "FailedAuthentication" in message
    assert "Wr0ng-pass" not in message
    with pytest.raises(AuthenticationError):
        read_all(streams(ebs, {**ebs_config, "password": "Wr0ng-pass"})["customers"])


def test_a_soap_fault_on_a_read_is_a_remote_rejection_with_the_fault_string(
    ebs: EbsSandbox, ebs_config: dict[str, Any]
) -> None:
    ebs.fault_next(
        "ORA-06550: line 1, column 7: PLS-00201: identifier 'XX_DMSHUB_QUERY_PUB' must be declared"
    )
    with pytest.raises(RemoteRejected, match="PLS-00201"):
        read_all(streams(ebs, ebs_config)["customers"])
    assert len(ebs.requests) == 1


def test_an_error_status_from_the_read_service_carries_its_messages(
    ebs: EbsSandbox, ebs_config: dict[str, Any]
) -> None:
    ebs.reply_next(
        f'<env:Envelope xmlns:env="{SOAP_ENV}"><env:Body><OutputParameters xmlns="http://xmlns.oracle.com/apps/'
        'xx/soaprovider/plsql/xx_dmshub_query_pub/get_customers/"><X_RETURN_STATUS>U</X_RETURN_STATUS>'
        "<X_MSG_COUNT>1</X_MSG_COUNT><X_MSG_DATA>ORA-01555: snapshot too old</X_MSG_DATA></OutputParameters>"
        "</env:Body></env:Envelope>".encode()
    )
    with pytest.raises(EbsApiError) as caught:
        read_all(streams(ebs, ebs_config)["customers"])
    assert caught.value.return_status == "U"
    assert caught.value.remote_messages == ("ORA-01555: snapshot too old",)


def test_an_unavailable_endpoint_is_retried_then_reported_as_retriable(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    ebs.fail_next(503, times=99)
    with pytest.raises(RetriableConnectorError) as caught:
        read_all(streams(ebs, {**ebs_config, "max_retries": 2}, sleeps)["customers"])
    assert caught.value.status_code == 503 and len(ebs.requests) == 3 and len(sleeps.calls) == 2


def test_a_throttled_read_waits_as_long_as_retry_after_asks(
    ebs: EbsSandbox, ebs_config: dict[str, Any], sleeps: SleepRecorder
) -> None:
    ebs.fail_next(429, times=1, retry_after="9")
    frame, _ = read_all(streams(ebs, ebs_config, sleeps)["customers"])
    assert len(frame) == 12 and sleeps.calls == [9.0]
