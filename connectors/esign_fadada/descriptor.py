"""Registry entry of the 法大大 FASC v5.1 callback receiver."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR"]

CONNECTOR = Connector(
    name="esign-fadada",
    kind="webhook",
    factory="connectors.esign_fadada.receiver:FadadaCallbackReceiver.from_config",
    description="法大大 FASC v5.1 sign-task callbacks (X-FASC-* two-step HMAC-SHA256) → contract status",
)
