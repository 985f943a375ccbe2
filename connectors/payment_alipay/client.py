"""Creating an Alipay payment for an order's deposit or balance: signed ``alipay.trade.page.pay`` URLs.

Requests are signed with *our* app private key (RSA2 over the sorted ``k=v&…`` of every
parameter but ``sign``); ``alipay.trade.page.pay`` is a redirect, so the signed gateway URL
is the whole request and nothing comes back but the async notification. The payment
reference ``<order_no>-D<n>`` / ``-B<n>`` / ``-F<n>`` is what the notify receiver and the
reconciliation read the order from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Literal
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from canonical_model.errors import ConfigError
from connectors.payment_alipay.signing import sign_content, signing_content

__all__ = ["AlipayClientConfig", "page_pay_url", "payment_reference", "signed_params"]

CHINA = timezone(timedelta(hours=8))
_KINDS = {"deposit": "D", "balance": "B", "full": "F"}


class AlipayClientConfig(BaseModel):
    """Our app and its signing key."""

    model_config = ConfigDict(extra="forbid")

    app_id: str = Field(min_length=1)
    app_private_key: SecretStr = Field(
        description="Our app's RSA2 private key (PKCS#8 PEM).", json_schema_extra={"airbyte_secret": True}
    )
    gateway: str = Field(default="https://openapi.alipay.com/gateway.do")
    notify_url: str = Field(min_length=1, description="Public URL of POST /webhooks/payment-alipay.")


def payment_reference(order_no: str, kind: Literal["deposit", "balance", "full"], attempt: int = 1) -> str:
    """Our ``out_trade_no`` for one payment of an order's plan line (``SO-1-D1``)."""
    return f"{order_no}-{_KINDS[kind]}{attempt}"


def _private_key(config: AlipayClientConfig) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(config.app_private_key.get_secret_value().encode(), None)
    except (ValueError, TypeError):
        raise ConfigError("payment-alipay: app_private_key is not a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError("payment-alipay: app_private_key is not an RSA key")
    return key


def signed_params(
    config: AlipayClientConfig, method: str, biz_content: Mapping[str, object], *, now: datetime
) -> dict[str, str]:
    """The common parameters plus ``biz_content`` for ``method``, signed (``sign_type`` included)."""
    params = {
        "app_id": config.app_id,
        "method": method,
        "format": "JSON",
        "charset": "utf-8",
        "sign_type": "RSA2",
        "timestamp": now.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
        "version": "1.0",
        "notify_url": config.notify_url,
        "biz_content": json.dumps(biz_content, ensure_ascii=False, separators=(",", ":")),
    }
    params["sign"] = sign_content(signing_content(params, exclude=("sign",)), _private_key(config))
    return params


def page_pay_url(
    config: AlipayClientConfig, out_trade_no: str, amount: Decimal, subject: str, *, now: datetime
) -> str:
    """The signed gateway URL the payer opens to pay ``amount`` yuan for ``out_trade_no``."""
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ConfigError(f"payment-alipay: {amount} is not a payable amount in yuan")
    biz = {
        "out_trade_no": out_trade_no,
        "total_amount": f"{amount:.2f}",
        "subject": subject,
        "product_code": "FAST_INSTANT_TRADE_PAY",
    }
    return f"{config.gateway}?{urlencode(signed_params(config, 'alipay.trade.page.pay', biz, now=now))}"
