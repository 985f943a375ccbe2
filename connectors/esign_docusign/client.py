"""Envelopes for dealer contracts through the DocuSign eSignature REST API v2.1 (a hub :class:`Sink`).

``submit`` creates an envelope from the configured template: the dealer's signer and the
brand's counter-signer fill the template roles, the dealer's name and USCC prefill text tabs,
and our ``contract_no`` (with the dealer code) rides along as envelope text custom fields —
Connect echoes them back, and ``lookup`` finds an envelope by them
(``GET …/envelopes?custom_field=contract_no=<no>``), so
:func:`connectors.sink.submit_exactly_once` never creates a second envelope on a retry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.errors import RemoteRejected
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client

__all__ = ["DealerContract", "DocuSignApiConfig", "DocuSignEnvelopeSink", "envelope_for"]

SYSTEM = "esign-docusign"


class DocuSignApiConfig(BaseModel):
    """Where and as whom to create envelopes."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(default="https://demo.docusign.net", description="eSignature REST host.")
    account_id: str = Field(min_length=1)
    access_token: SecretStr = Field(
        description="OAuth access token (JWT grant, resolved by the caller).",
        json_schema_extra={"airbyte_secret": True},
    )
    template_id: str = Field(min_length=1, description="Template of the dealer distribution contract.")
    dealer_role: str = Field(default="Dealer", description="Template role the dealer's signer fills.")
    brand_role: str = Field(default="Brand", description="Template role of the brand's counter-signer.")
    brand_signer_name: str = Field(min_length=1)
    brand_signer_email: str = Field(min_length=3)
    lookup_days: int = Field(default=365, ge=1, description="How far back lookup searches (from_date).")


class DealerContract(BaseModel):
    """The contract to send: ours, for one dealer, with the dealer's signer."""

    model_config = ConfigDict(extra="forbid")

    contract_no: str = Field(min_length=1, max_length=40)
    dealer_code: str = Field(min_length=1, max_length=32)
    dealer_name: str = Field(min_length=1)
    dealer_uscc: str = Field(min_length=18, max_length=18)
    signer_name: str = Field(min_length=1)
    signer_email: str = Field(min_length=3)
    valid_from: str | None = None
    valid_until: str | None = None


def envelope_for(contract: DealerContract, config: DocuSignApiConfig) -> dict[str, Any]:
    """The envelope definition (``POST …/envelopes`` body) for ``contract``."""
    text_tabs = [
        {"tabLabel": "dealer_name", "value": contract.dealer_name},
        {"tabLabel": "dealer_uscc", "value": contract.dealer_uscc},
    ]
    custom = {"contract_no": contract.contract_no, "dealer_code": contract.dealer_code}
    custom |= {k: v for k in ("valid_from", "valid_until") if (v := getattr(contract, k))}
    return {
        "templateId": config.template_id,
        "emailSubject": f"Distribution contract {contract.contract_no}",
        "templateRoles": [
            {
                "roleName": config.dealer_role,
                "name": contract.signer_name,
                "email": contract.signer_email,
                "routingOrder": "1",
                "tabs": {"textTabs": text_tabs},
            },
            {
                "roleName": config.brand_role,
                "name": config.brand_signer_name,
                "email": config.brand_signer_email,
                "routingOrder": "2",
            },
        ],
        "customFields": {
            "textCustomFields": [{"name": k, "value": v, "show": "false"} for k, v in custom.items()]
        },
        "status": "sent",
    }


class DocuSignEnvelopeSink:
    """Creates and finds envelopes; a :class:`connectors.sink.Sink` keyed by ``contract_no``."""

    def __init__(
        self,
        config: DocuSignApiConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        http: HttpClientConfig | None = None,
    ) -> None:
        self.config = config
        token = config.access_token.get_secret_value()
        self._http: HubHttpClient = build_http_client(
            http
            or HttpClientConfig(
                system=SYSTEM,
                base_url=config.base_url,
                headers={"Authorization": f"Bearer {token}"},
                secrets=(token,),
            ),
            transport=transport,
        )
        self._envelopes = f"/restapi/v2.1/accounts/{config.account_id}/envelopes"

    def submit(self, document: Mapping[str, Any], *, idempotency_key: str) -> str:
        """Create the envelope ``document`` (see :func:`envelope_for`); its ``envelopeId``."""
        body = self._http.post(self._envelopes, json=dict(document)).json()
        envelope_id = body.get("envelopeId") if isinstance(body, dict) else None
        if not envelope_id:
            raise RemoteRejected(
                f"envelope for {idempotency_key} created without an envelopeId", system=SYSTEM
            )
        return str(envelope_id)

    def lookup(self, idempotency_key: str) -> str | None:
        """The ``envelopeId`` already carrying ``contract_no = idempotency_key``, if any."""
        since = (datetime.now(UTC) - timedelta(days=self.config.lookup_days)).strftime("%Y-%m-%d")
        params = {"from_date": since, "custom_field": f"contract_no={idempotency_key}"}
        body = self._http.get(self._envelopes, params=params).json()
        envelopes = body.get("envelopes") or [] if isinstance(body, dict) else []
        return str(envelopes[0]["envelopeId"]) if envelopes else None

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()
