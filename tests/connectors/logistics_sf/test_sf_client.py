"""丰桥 route query against the sandbox: msgDigest, gateway codes, batching, retries."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qsl

import pytest

from connectors.errors import AuthenticationError, RateLimited, RetriableConnectorError
from connectors.logistics_sf.client import SEARCH_ROUTES
from connectors.logistics_sf.errors import API_RESULT_CODES, SfAccessDenied, SfRejected, SfSignatureError
from connectors.logistics_sf.sandbox import SANDBOX_CHECKWORD, SfSandbox
from connectors.logistics_sf.signing import java_url_encode, msg_digest
from connectors.logistics_sf.source import SfSource
from connectors.tracking import TrackedWaybill
from connectors.vendor_kit import VendorError
from tests.connectors.conftest import SleepRecorder
from tests.connectors.logistics_sf.conftest import START, sf_config


def forms(sandbox: SfSandbox) -> list[dict[str, str]]:
    return [dict(parse_qsl(r.content.decode("utf-8"), keep_blank_values=True)) for r in sandbox.requests]


def test_a_route_query_carries_the_documented_fields_and_digest(source: SfSource, sandbox: SfSandbox) -> None:
    source.client(source.parse_config(sf_config())).search_routes(["SF1000000001"])
    [form] = forms(sandbox)
    assert form["partnerID"] == "SANDBOX_PARTNER" and form["serviceCode"] == "EXP_RECE_SEARCH_ROUTES"
    assert len(form["requestID"]) == 36 and form["timestamp"].isdigit() and len(form["timestamp"]) == 13
    text = form["msgData"] + form["timestamp"] + SANDBOX_CHECKWORD
    assert (
        form["msgDigest"]
        == base64.b64encode(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).digest()).decode()
    )
    assert json.loads(form["msgData"]) == {
        "language": "zh-CN",
        "trackingType": "1",
        "trackingNumber": ["SF1000000001"],
        "methodType": "1",
    }


def test_the_urlencoded_variant_digests_the_java_urlencoded_text(sleeps: SleepRecorder) -> None:
    sandbox = SfSandbox.demo(start=START, digest_variant="urlencoded")
    source = SfSource(transport=sandbox.transport, sleep=sleeps)
    source.check_config(source.parse_config(sf_config(digest_variant="urlencoded")))
    [form] = forms(sandbox)
    text = java_url_encode(form["msgData"] + form["timestamp"] + SANDBOX_CHECKWORD)
    assert (
        form["msgDigest"]
        == base64.b64encode(hashlib.md5(text.encode("ascii"), usedforsecurity=False).digest()).decode()
    )


def test_java_url_encoding_matches_java_net_urlencoder() -> None:
    assert java_url_encode('{"a":"b c*~"}中') == "%7B%22a%22%3A%22b+c*%7E%22%7D%E4%B8%AD"


def test_plain_and_urlencoded_digests_differ_for_json() -> None:
    assert msg_digest('{"a":1}', "1", "cw") != msg_digest('{"a":1}', "1", "cw", variant="urlencoded")


@pytest.mark.parametrize(
    "override", [{"checkword": "wrong"}, {"digest_variant": "urlencoded"}], ids=["checkword", "variant"]
)
def test_a_request_with_a_bad_digest_is_refused_with_a1006(
    source: SfSource, override: dict[str, str]
) -> None:
    with pytest.raises(SfSignatureError) as caught:
        source.check_config(source.parse_config(sf_config(**override)))
    assert caught.value.code == "A1006" and isinstance(caught.value, AuthenticationError)


def test_an_unknown_partner_is_refused_with_a1004(source: SfSource) -> None:
    with pytest.raises(SfAccessDenied) as caught:
        source.check_config(source.parse_config(sf_config(partner_id="OTHER")))
    assert caught.value.code == "A1004"


def test_a_request_stamped_too_long_ago_is_refused_with_a1002(
    sandbox: SfSandbox, sleeps: SleepRecorder
) -> None:
    source = SfSource(transport=sandbox.transport, sleep=sleeps, clock=lambda: sandbox.clock() - 3600)
    with pytest.raises(SfAccessDenied) as caught:
        source.check_config(source.parse_config(sf_config()))
    assert caught.value.code == "A1002"


@pytest.mark.parametrize("code", sorted(set(API_RESULT_CODES) - {"A1007"}))
def test_each_gateway_code_raises_its_table_error(source: SfSource, sandbox: SfSandbox, code: str) -> None:
    sandbox.vendor_error_next(code)
    with pytest.raises(VendorError) as caught:
        source.client(source.parse_config(sf_config())).search_routes(["SF1000000001"])
    assert type(caught.value) is API_RESULT_CODES[code].error and caught.value.code == code


def test_gateway_codes_sort_into_throttled_retriable_and_fatal() -> None:
    assert issubclass(API_RESULT_CODES["A1005"].error, RateLimited)
    assert all(
        issubclass(API_RESULT_CODES[c].error, RetriableConnectorError) for c in ("A1007", "A1009", "A1099")
    )
    assert issubclass(API_RESULT_CODES["A1006"].error, AuthenticationError)


def test_a_reused_request_id_is_sent_once_more_under_a_fresh_one(
    source: SfSource, sandbox: SfSandbox
) -> None:
    sandbox.vendor_error_next("A1007")
    routes = source.client(source.parse_config(sf_config())).search_routes(["SF1000000001"])
    assert len(routes["SF1000000001"]) == 6
    first, second = forms(sandbox)
    assert first["requestID"] != second["requestID"]


def test_a_business_error_inside_apiresultdata_is_refused_with_its_code(source: SfSource) -> None:
    client = source.client(source.parse_config(sf_config()))
    with pytest.raises(SfRejected) as caught:
        client.call(SEARCH_ROUTES, {"language": "zh-CN", "trackingType": "1", "trackingNumber": []})
    assert caught.value.code == "S0001" and "trackingNumber" in str(caught.value)


def test_a_guarded_route_answers_only_with_the_right_phone_digits(source: SfSource) -> None:
    client = source.client(source.parse_config(sf_config()))
    assert client.search_routes(["SF1000000002"])["SF1000000002"] == []
    assert len(client.search_routes(["SF1000000002"], phone="1234")["SF1000000002"]) == 3


def test_waybills_are_queried_ten_at_a_time_grouped_by_phone(source: SfSource, sandbox: SfSandbox) -> None:
    waybills = [TrackedWaybill(number=f"SF{i:010d}") for i in range(23)] + [
        TrackedWaybill(number="SF1000000002", phone="1234")
    ]
    tracks = list(source.client(source.parse_config(sf_config())).tracks(waybills))
    assert len(tracks) == 24
    sizes = [len(json.loads(f["msgData"])["trackingNumber"]) for f in forms(sandbox)]
    assert sorted(sizes) == [1, 3, 10, 10]
    assert {len(t.events) for t in tracks if t.waybill.number == "SF1000000002"} == {3}


def test_throttling_and_server_errors_are_retried_with_the_asked_wait(
    source: SfSource, sandbox: SfSandbox, sleeps: SleepRecorder
) -> None:
    sandbox.fail_next(429, retry_after=4)
    sandbox.fail_next(500)
    routes = source.client(source.parse_config(sf_config())).search_routes(["SF1000000001"])
    assert len(routes["SF1000000001"]) == 6 and sleeps.calls[0] == 4.0 and len(sleeps.calls) == 2
