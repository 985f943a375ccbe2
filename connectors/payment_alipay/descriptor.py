"""Registry entry of the Alipay async-notify receiver."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR"]

CONNECTOR = Connector(
    name="payment-alipay",
    kind="webhook",
    factory="connectors.payment_alipay.receiver:AlipayNotifyReceiver.from_config",
    description="Alipay async payment/refund notifications (form POST, RSA2 with Alipay's public key)",
)
