"""Signed Alipay payment requests: what the gateway checks with our public key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from canonical_model.errors import ConfigError
from connectors.payment_alipay.client import AlipayClientConfig, page_pay_url, payment_reference
from connectors.payment_alipay.signing import signing_content, verify_signature

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def config(key: rsa.RSAPrivateKey) -> AlipayClientConfig:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return AlipayClientConfig(
        app_id="2021000000000001", app_private_key=pem, notify_url="https://hub/webhooks/a"
    )


def test_references_name_the_order_and_the_plan_line() -> None:
    assert payment_reference("SO-1", "deposit") == "SO-1-D1"
    assert payment_reference("SO-1", "balance", 2) == "SO-1-B2"


def test_a_page_pay_url_is_signed_over_every_parameter_but_sign(
    config: AlipayClientConfig, key: rsa.RSAPrivateKey
) -> None:
    url = page_pay_url(config, "SO-1-D1", Decimal("300.00"), "订单 SO-1 定金", now=NOW)
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["method"] == "alipay.trade.page.pay" and params["timestamp"] == "2026-11-22 12:00:00"
    assert json.loads(params["biz_content"])["total_amount"] == "300.00"
    content = signing_content(params, exclude=("sign",))
    assert "sign_type=RSA2" in content
    assert verify_signature(content, params["sign"], key.public_key())
    assert not verify_signature(content.replace("300.00", "3.00"), params["sign"], key.public_key())


def test_an_amount_with_fractions_of_a_fen_is_refused(config: AlipayClientConfig) -> None:
    with pytest.raises(ConfigError, match="not a payable amount"):
        page_pay_url(config, "SO-1-D1", Decimal("1.001"), "x", now=NOW)
