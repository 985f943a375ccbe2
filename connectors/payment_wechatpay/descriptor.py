"""Registry entry of the WeChat Pay v3 notification receiver."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR"]

CONNECTOR = Connector(
    name="payment-wechatpay",
    kind="webhook",
    factory="connectors.payment_wechatpay.receiver:WechatPayNotifyReceiver.from_config",
    description="WeChat Pay API v3 payment/refund notifications (platform-key RSA, AES-256-GCM resource)",
)
