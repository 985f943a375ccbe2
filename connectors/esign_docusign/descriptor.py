"""Registry entry of the DocuSign Connect receiver."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR"]

CONNECTOR = Connector(
    name="esign-docusign",
    kind="webhook",
    factory="connectors.esign_docusign.receiver:DocuSignConnectReceiver.from_config",
    description="DocuSign Connect envelope events (X-DocuSign-Signature-N HMAC) → contract status",
)
