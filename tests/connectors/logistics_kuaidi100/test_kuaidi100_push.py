"""Push callbacks: signature verified in constant time, events parsed, the exact reply."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from canonical_model.errors import ConfigError
from connectors.logistics_kuaidi100.errors import PushMalformed, PushRejected, PushSignatureInvalid
from connectors.logistics_kuaidi100.push import PUSH_REPLY_SUCCESS, parse_push, verify_and_parse_push
from connectors.logistics_kuaidi100.sandbox import Kuaidi100Sandbox

SALT = "push-salt-01"


@pytest.fixture
def form(sandbox: Kuaidi100Sandbox) -> dict[str, str]:
    return sandbox.push_form("shunfeng", "SF1000000001", salt=SALT)


def test_the_push_sign_is_upper_md5_of_param_and_salt(form: dict[str, str]) -> None:
    assert (
        form["sign"]
        == hashlib.md5((form["param"] + SALT).encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    )


def test_a_verified_push_yields_normalised_events_with_the_carrier_code_kept(form: dict[str, str]) -> None:
    events = verify_and_parse_push(form, salt=SALT)
    assert [(e["carrier_status_code"], e["status"]) for e in events] == [
        ("103", "picked_up"),
        ("1002", "in_transit"),
        ("1001", "in_transit"),
        ("5", "out_for_delivery"),
        ("301", "delivered"),
    ]
    first = events[0]
    assert first["event_time"] == datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
    assert (first["carrier_code"], first["waybill_no"], first["shipment_no"]) == (
        "shunfeng",
        "SF1000000001",
        None,
    )
    assert (first["description"], first["location"]) == ("已揽收", "上海市")


def test_the_receiver_can_name_the_shipment_of_the_waybill(form: dict[str, str]) -> None:
    events = verify_and_parse_push(
        form, salt=SALT, resolve_shipment=lambda carrier, number: f"SH-{carrier}-{number}"
    )
    assert {e["shipment_no"] for e in events} == {"SH-shunfeng-SF1000000001"}


def test_a_lowercase_sign_is_accepted(form: dict[str, str]) -> None:
    assert len(verify_and_parse_push({**form, "sign": form["sign"].lower()}, salt=SALT)) == 5


def test_a_push_with_a_tampered_param_is_rejected(form: dict[str, str]) -> None:
    body = json.loads(form["param"])
    body["lastResult"]["data"][0]["context"] = "已签收 (forged)"
    forged = {"param": json.dumps(body, ensure_ascii=False), "sign": form["sign"]}
    with pytest.raises(PushSignatureInvalid):
        verify_and_parse_push(forged, salt=SALT)


def test_a_push_signed_with_another_salt_is_rejected(sandbox: Kuaidi100Sandbox) -> None:
    with pytest.raises(PushSignatureInvalid) as caught:
        verify_and_parse_push(sandbox.push_form("shunfeng", "SF1000000001", salt="attacker"), salt=SALT)
    assert SALT not in str(caught.value) and "attacker" not in str(caught.value)


@pytest.mark.parametrize(
    "broken",
    [{}, {"param": "{}"}, {"sign": "ABC"}, {"param": "", "sign": "ABC"}],
    ids=["empty", "no-sign", "no-param", "blank-param"],
)
def test_a_push_missing_its_fields_is_malformed(broken: dict[str, str]) -> None:
    with pytest.raises(PushMalformed):
        verify_and_parse_push(broken, salt=SALT)


def test_a_signed_push_whose_param_is_not_json_is_malformed() -> None:
    param = "not json"
    sign = hashlib.md5((param + SALT).encode(), usedforsecurity=False).hexdigest().upper()
    with pytest.raises(PushMalformed):
        verify_and_parse_push({"param": param, "sign": sign}, salt=SALT)


def test_push_errors_share_one_base_for_the_webhook_to_catch() -> None:
    assert issubclass(PushSignatureInvalid, PushRejected) and issubclass(PushMalformed, PushRejected)


def test_verifying_without_a_salt_is_a_configuration_error(form: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        verify_and_parse_push(form, salt="")


def test_an_abort_push_asks_for_a_new_subscription(sandbox: Kuaidi100Sandbox) -> None:
    notice = parse_push(sandbox.push_form("yuantong", "YT2000000002", status="abort", salt=SALT), salt=SALT)
    assert notice.needs_resubscribe and notice.status == "abort"
    assert (notice.state, notice.signed) == ("5", False)


def test_a_shutdown_push_of_a_signed_waybill_says_so(sandbox: Kuaidi100Sandbox) -> None:
    notice = parse_push(
        sandbox.push_form("shunfeng", "SF1000000001", status="shutdown", salt=SALT), salt=SALT
    )
    assert (notice.status, notice.state, notice.signed, notice.needs_resubscribe) == (
        "shutdown",
        "3",
        True,
        False,
    )


def test_the_reply_is_exactly_the_json_kuaidi100_requires() -> None:
    assert json.dumps(dict(PUSH_REPLY_SUCCESS), ensure_ascii=False, separators=(",", ":")) == (
        '{"result":true,"returnCode":"200","message":"成功"}'
    )
