"""TMS signing (易流 e6 and G7 gateway), gateway errors, paging and retries, against the sandbox."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
import respx

from connectors.errors import AuthenticationError, RemoteRejected, RetriableConnectorError
from connectors.tms.errors import (
    GATEWAY_ERRORS,
    TmsPermissionDenied,
    TmsSignatureError,
    TmsTimestampRejected,
    TmsUnavailable,
)
from connectors.tms.sandbox import SANDBOX_KEY, SANDBOX_SECRET, TmsSandbox
from connectors.tms.source import TmsSource
from connectors.vendor_kit import VendorError
from tests.connectors.conftest import SleepRecorder
from tests.connectors.tms.conftest import START, tms_config

FIXED_NOW = datetime(2024, 5, 1, 4, 5, 6, tzinfo=UTC)


def test_e6_requests_sign_the_sorted_parameters_between_two_secrets(sleeps: SleepRecorder) -> None:
    sandbox = TmsSandbox.demo(start=START, now=lambda: FIXED_NOW)
    source = TmsSource(transport=sandbox.transport, sleep=sleeps, now=lambda: FIXED_NOW)
    source.check_config(source.parse_config(tms_config()))
    params = dict(sandbox.requests[-1].url.params)
    assert (params["appkey"], params["timestamp"], params["format"]) == (
        SANDBOX_KEY,
        "2024-05-01 12:05:06",
        "json",
    )
    body = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    expected = (
        hashlib.md5(f"{SANDBOX_SECRET}{body}{SANDBOX_SECRET}".encode(), usedforsecurity=False)
        .hexdigest()
        .upper()
    )
    assert params["sign"] == expected


def test_g7_requests_carry_a_hmac_sha256_authorization_over_the_string_to_sign(sleeps: SleepRecorder) -> None:
    sandbox = TmsSandbox.demo(start=START, gateway="g7", now=lambda: FIXED_NOW)
    source = TmsSource(transport=sandbox.transport, sleep=sleeps, now=lambda: FIXED_NOW)
    source.check_config(source.parse_config(tms_config(gateway="g7")))
    request = sandbox.requests[-1]
    stamp = request.headers["X-G7-OpenAPI-Timestamp"]
    assert stamp == str(int(FIXED_NOW.timestamp() * 1000))
    query = "&".join(f"{k}={v}" for k, v in sorted(request.url.params.items()))
    to_sign = f"GET\n\n\n{stamp}\n/altair/rest/v1/tms/waybills?{query}"
    signature = base64.b64encode(hmac.new(SANDBOX_SECRET.encode(), to_sign.encode(), hashlib.sha256).digest())
    assert request.headers["Authorization"] == f"g7ac {SANDBOX_KEY}:{signature.decode()}"
    assert "sign" not in request.url.params


@pytest.mark.parametrize("signing", ["e6", "g7"])
@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"app_secret": "wrong-secret"}, TmsSignatureError),
        ({"app_key": "unknown-key"}, TmsPermissionDenied),
    ],
    ids=["wrong-secret", "unknown-key"],
)
def test_a_request_signed_wrong_is_refused_with_the_gateway_error(
    sleeps: SleepRecorder, signing: str, override: dict[str, str], error: type[VendorError]
) -> None:
    sandbox = TmsSandbox.demo(start=START, gateway=signing)
    source = TmsSource(transport=sandbox.transport, sleep=sleeps)
    with pytest.raises(error) as caught:
        source.check_config(source.parse_config(tms_config(gateway=signing, **override)))
    assert isinstance(caught.value, AuthenticationError) and "wrong-secret" not in str(caught.value)
    assert len(sandbox.requests) == 1  # authentication failures are not retried


@pytest.mark.parametrize("signing", ["e6", "g7"])
def test_a_clock_off_by_more_than_the_window_is_refused_as_a_wrong_timestamp(
    sleeps: SleepRecorder, signing: str
) -> None:
    sandbox = TmsSandbox.demo(start=START, gateway=signing, now=lambda: FIXED_NOW)
    source = TmsSource(
        transport=sandbox.transport, sleep=sleeps, now=lambda: FIXED_NOW - timedelta(minutes=16)
    )
    with pytest.raises(TmsTimestampRejected):
        source.check_config(source.parse_config(tms_config(gateway=signing)))


@pytest.mark.parametrize("message", sorted(GATEWAY_ERRORS))
def test_each_gateway_message_raises_its_table_error(
    source: TmsSource, sandbox: TmsSandbox, message: str
) -> None:
    sandbox.vendor_error_next(message, times=5)
    with pytest.raises(VendorError) as caught:
        source.check_config(source.parse_config(tms_config(max_retries=0)))
    assert isinstance(caught.value, GATEWAY_ERRORS[message].error)


def test_gateway_refusals_are_authentication_errors_never_retried() -> None:
    assert all(issubclass(entry.error, AuthenticationError) for entry in GATEWAY_ERRORS.values())
    assert not any(issubclass(entry.error, RetriableConnectorError) for entry in GATEWAY_ERRORS.values())


def test_an_unknown_gateway_message_is_a_rejection(source: TmsSource, sandbox: TmsSandbox) -> None:
    sandbox.vendor_error_next("parameter page_size invalid")
    with pytest.raises(RemoteRejected):
        source.check_config(source.parse_config(tms_config()))


def test_waybills_are_read_page_by_page(source: TmsSource, sandbox: TmsSandbox) -> None:
    [waybills, _] = source.hub_streams(source.parse_config(tms_config()))
    batches = list(waybills.read_batches(None))
    assert [b.source_offset for b in batches] == [f"/v1/tms/waybills?page_no={n}" for n in (1, 2, 3)]
    assert [len(b.frame) for b in batches] == [3, 3, 1]


def test_an_incremental_read_returns_only_what_changed_since(source: TmsSource, sandbox: TmsSandbox) -> None:
    [waybills, _] = source.hub_streams(source.parse_config(tms_config()))
    state = list(waybills.read_batches(None))[-1].state
    assert list(waybills.read_batches(state)) == []
    sandbox.put_waybill("TMS000002", updated_at=START + timedelta(hours=2), status="50")
    [batch] = list(waybills.read_batches(state))
    assert batch.frame["waybill_no"].tolist() == ["TMS000002"]


def test_throttling_and_server_errors_are_retried_with_the_asked_wait(
    source: TmsSource, sandbox: TmsSandbox, sleeps: SleepRecorder
) -> None:
    sandbox.fail_next(429, retry_after=3)
    sandbox.fail_next(503)
    sandbox.refuse_next_connection()
    source.check_config(source.parse_config(tms_config()))
    assert sleeps.calls[0] == 3.0 and len(sleeps.calls) == 3


def test_a_server_error_code_inside_a_200_answer_is_retriable(
    remote: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    route = remote.get("https://tms.sandbox.invalid/altair/rest/v1/tms/waybills").respond(
        200, json={"code": 500, "msg": "系统繁忙", "data": None}
    )
    source = TmsSource(sleep=sleeps)
    with pytest.raises(TmsUnavailable):
        source.check_config(source.parse_config(tms_config()))
    assert route.call_count == 1
