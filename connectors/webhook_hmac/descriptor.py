"""Registry entry of the generic HMAC webhook receiver."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR"]

CONNECTOR = Connector(
    name="webhook-hmac",
    kind="webhook",
    factory="connectors.webhook_hmac.receiver:HmacWebhookReceiver.from_config",
    description="Generic signed webhooks (Stripe-style t=…,v1=… HMAC-SHA256 with a timestamp tolerance)",
)
