"""快递100 query and subscribe against the sandbox: signatures, return codes, retries."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl

import pytest

from connectors.errors import AuthenticationError, FatalConnectorError, RateLimited, RetriableConnectorError
from connectors.logistics_kuaidi100.errors import (
    NO_RESULT,
    QUERY_RETURN_CODES,
    SUBSCRIBE_RETURN_CODES,
    Kuaidi100SignatureError,
)
from connectors.logistics_kuaidi100.sandbox import SANDBOX_CUSTOMER, SANDBOX_KEY, Kuaidi100Sandbox
from connectors.logistics_kuaidi100.source import Kuaidi100Source
from connectors.tracking import TrackedWaybill
from connectors.vendor_kit import VendorError
from tests.connectors.conftest import SleepRecorder
from tests.connectors.logistics_kuaidi100.conftest import k100_config

SF = TrackedWaybill(company="shunfeng", number="SF1000000001", phone="5678")


def form_of(sandbox: Kuaidi100Sandbox) -> dict[str, str]:
    return dict(parse_qsl(sandbox.requests[-1].content.decode("utf-8"), keep_blank_values=True))


def test_a_query_is_signed_upper_md5_of_param_key_customer(
    source: Kuaidi100Source, sandbox: Kuaidi100Sandbox
) -> None:
    source.client(source.parse_config(k100_config())).query(SF)
    form = form_of(sandbox)
    assert form["customer"] == SANDBOX_CUSTOMER
    expected = (
        hashlib.md5((form["param"] + SANDBOX_KEY + SANDBOX_CUSTOMER).encode("utf-8"), usedforsecurity=False)
        .hexdigest()
        .upper()
    )
    assert form["sign"] == expected
    param = json.loads(form["param"])
    assert (param["com"], param["num"], param["phone"], param["resultv2"]) == (
        "shunfeng",
        "SF1000000001",
        "5678",
        "4",
    )


def test_a_query_with_the_wrong_key_is_refused_with_503(source: Kuaidi100Source) -> None:
    client = source.client(source.parse_config(k100_config(key="not-the-key")))
    with pytest.raises(Kuaidi100SignatureError) as caught:
        client.query(SF)
    assert caught.value.code == "503" and isinstance(caught.value, AuthenticationError)
    assert "not-the-key" not in str(caught.value)


@pytest.mark.parametrize("code", sorted(set(QUERY_RETURN_CODES) - {NO_RESULT}))
def test_each_query_return_code_raises_its_table_error(
    source: Kuaidi100Source, sandbox: Kuaidi100Sandbox, code: str
) -> None:
    sandbox.vendor_error_next(code)
    with pytest.raises(VendorError) as caught:
        source.client(source.parse_config(k100_config())).query(SF)
    assert type(caught.value) is QUERY_RETURN_CODES[code].error and caught.value.code == code


def test_query_codes_sort_into_retriable_throttled_and_fatal() -> None:
    assert issubclass(QUERY_RETURN_CODES["502"].error, RateLimited)
    assert issubclass(QUERY_RETURN_CODES["501"].error, RetriableConnectorError)
    assert issubclass(QUERY_RETURN_CODES["601"].error, AuthenticationError)
    assert issubclass(QUERY_RETURN_CODES["400"].error, FatalConnectorError)


def test_no_result_yet_is_an_empty_track_not_an_error(source: Kuaidi100Source) -> None:
    client = source.client(source.parse_config(k100_config()))
    track = client.track(TrackedWaybill(company="jd", number="JD0000000000"))
    assert track.events == () and track.state is None


@pytest.mark.parametrize("code", sorted(SUBSCRIBE_RETURN_CODES))
def test_each_subscribe_return_code_raises_its_table_error(
    source: Kuaidi100Source, sandbox: Kuaidi100Sandbox, code: str
) -> None:
    sandbox.vendor_error_next(code)
    with pytest.raises(VendorError) as caught:
        source.client(source.parse_config(k100_config())).subscribe(SF)
    assert type(caught.value) is SUBSCRIBE_RETURN_CODES[code].error and caught.value.code == code


def test_subscribing_sends_the_key_salt_and_callback_inside_param(
    source: Kuaidi100Source, sandbox: Kuaidi100Sandbox
) -> None:
    result = source.client(source.parse_config(k100_config())).subscribe(SF)
    assert (result.return_code, result.duplicate) == ("200", False)
    form = form_of(sandbox)
    assert form["schema"] == "json" and "sign" not in form
    param = json.loads(form["param"])
    assert (param["company"], param["number"], param["key"]) == ("shunfeng", "SF1000000001", SANDBOX_KEY)
    assert param["parameters"] == {
        "callbackurl": "https://hub.example.com/webhooks/kuaidi100",
        "resultv2": "4",
        "autoCom": "0",
        "salt": "push-salt-01",
        "phone": "5678",
    }
    assert sandbox.subscriptions[("shunfeng", "SF1000000001")]["salt"] == "push-salt-01"


def test_subscribing_twice_is_a_success_marked_duplicate(source: Kuaidi100Source) -> None:
    client = source.client(source.parse_config(k100_config()))
    client.subscribe(SF)
    again = client.subscribe(SF)
    assert (again.return_code, again.duplicate) == ("501", True)


def test_subscribing_with_a_wrong_key_is_refused(source: Kuaidi100Source) -> None:
    with pytest.raises(AuthenticationError):
        source.client(source.parse_config(k100_config(key="wrong"))).subscribe(SF)


def test_subscribing_without_a_callback_url_fails_before_sending(
    source: Kuaidi100Source, sandbox: Kuaidi100Sandbox
) -> None:
    with pytest.raises(FatalConnectorError, match="callback_url"):
        source.client(source.parse_config(k100_config(callback_url=None))).subscribe(SF)
    assert sandbox.requests == []


def test_throttled_queries_wait_as_asked_then_succeed(
    source: Kuaidi100Source, sandbox: Kuaidi100Sandbox, sleeps: SleepRecorder
) -> None:
    sandbox.fail_next(429, retry_after=5)
    sandbox.fail_next(502)
    sandbox.time_out_next()
    track = source.client(source.parse_config(k100_config())).track(SF)
    assert len(track.events) == 5
    assert sleeps.calls[0] == 5.0 and len(sleeps.calls) == 3


def test_a_config_without_company_codes_is_refused() -> None:
    from canonical_model.errors import ConfigError

    with pytest.raises(ConfigError, match="waybills"):
        Kuaidi100Source().parse_config(k100_config(waybills=[{"number": "X1"}]))
