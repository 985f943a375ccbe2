"""What the FLUX client puts on the wire, checked against interfaces.md's formula independently."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import parse_qsl

import pytest

from connectors.errors import AuthenticationError
from connectors.wms_flux.errors import FluxSignatureError
from connectors.wms_flux.sandbox import FluxSandbox
from connectors.wms_flux.source import FluxSource
from tests.connectors.conftest import SleepRecorder
from tests.connectors.wms_flux.conftest import flux_config

SECRET = "sandbox-flux-secret"


def last_form(sandbox: FluxSandbox) -> dict[str, str]:
    return dict(parse_qsl(sandbox.requests[-1].content.decode("utf-8"), keep_blank_values=True))


def test_every_call_carries_the_documented_form_fields(source: FluxSource, sandbox: FluxSandbox) -> None:
    source.check_config(source.parse_config(flux_config()))
    form = last_form(sandbox)
    assert {
        k: form[k] for k in ("method", "client_customerid", "client_db", "messageid", "appkey", "format")
    } == {
        "method": "queryINVData",
        "client_customerid": "FLUXWMSJSON",
        "client_db": "FLUXWMSJSON",
        "messageid": "INVQ",
        "appkey": "sandbox-flux-appkey",
        "format": "json",
    }
    assert form["apptoken"] == "sandbox-flux-apptoken"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", form["timestamp"])
    header = json.loads(form["data"])["xmldata"]["data"]["header"][0]
    assert header == {"CustomerID": "OWNER01", "WarehouseID": "WH01", "SKU": "", "PageNo": 1, "PageSize": 5}


def test_sign_is_base64_of_the_md5_hex_of_secret_data_secret(
    source: FluxSource, sandbox: FluxSandbox
) -> None:
    source.check_config(source.parse_config(flux_config()))
    form = last_form(sandbox)
    hex_digest = hashlib.md5(
        (SECRET + form["data"] + SECRET).encode("utf-8"), usedforsecurity=False
    ).hexdigest()
    assert form["sign"] == base64.b64encode(hex_digest.encode("ascii")).decode("ascii")


def test_the_sign_travels_url_encoded_in_the_form_body(source: FluxSource, sandbox: FluxSandbox) -> None:
    source.check_config(source.parse_config(flux_config()))
    raw = sandbox.requests[-1].content.decode("ascii")
    encoded_sign = next(part for part in raw.split("&") if part.startswith("sign="))
    assert "=" not in encoded_sign.removeprefix("sign=")  # base64 padding went out as %3D
    assert encoded_sign.endswith("%3D")


def test_the_raw_digest_variant_signs_the_sixteen_digest_bytes(sleeps: SleepRecorder) -> None:
    sandbox = FluxSandbox(digest_encoding="raw")
    sandbox.set_stock("WH01", "SKU001", 5)
    source = FluxSource(transport=sandbox.transport, sleep=sleeps)
    source.check_config(source.parse_config(flux_config(digest_encoding="raw")))
    form = last_form(sandbox)
    raw_digest = hashlib.md5((SECRET + form["data"] + SECRET).encode("utf-8"), usedforsecurity=False).digest()
    assert form["sign"] == base64.b64encode(raw_digest).decode("ascii")


@pytest.mark.parametrize(
    "override",
    [
        {"app_secret": "wrong-secret"},
        {"app_token": "wrong-token"},
        {"app_key": "wrong-key"},
        {"digest_encoding": "raw"},
    ],
    ids=["secret", "token", "key", "digest-variant"],
)
def test_a_request_signed_wrong_is_refused_with_s001(source: FluxSource, override: dict[str, str]) -> None:
    with pytest.raises(FluxSignatureError) as caught:
        source.check_config(source.parse_config(flux_config(**override)))
    assert caught.value.code == "S001"
    assert isinstance(caught.value, AuthenticationError)
    assert "wrong-secret" not in str(caught.value)


def test_chinese_data_is_signed_over_its_utf8_bytes(source: FluxSource, sandbox: FluxSandbox) -> None:
    client = source.client(source.parse_config(flux_config()))
    header = {
        "OrderNo": "PO-中文-1",
        "CustomerID": "OWNER01",
        "WarehouseID": "WH01",
        "ConsigneeName": "张三丰",
        "detailsItem": [{"SKU": "SKU001", "QtyOrdered": "1"}],
    }
    client.put_order(header)
    assert "PO-中文-1" in sandbox.orders
