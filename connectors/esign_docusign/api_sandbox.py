"""DMS Hub sandbox of the DocuSign eSignature envelopes API (create, list by custom field).

Not DocuSign's service: a stateful fake for tests and demos. It checks the bearer token,
stores envelopes with their custom fields, answers ``GET …/envelopes?custom_field=name=value``
and suffers the faults of :class:`connectors.sandbox_kit.FakeApi` (e.g. a timeout after the
envelope was created).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from connectors.sandbox_kit import FakeApi

__all__ = ["EnvelopeApiSandbox"]


class EnvelopeApiSandbox(FakeApi):
    """Envelopes of one account, created from any template."""

    def __init__(self, *, account_id: str, access_token: str) -> None:
        super().__init__()
        self.account_id = account_id
        self._token = access_token
        self.envelopes: dict[str, dict[str, Any]] = {}

    def respond(self, request: httpx.Request) -> httpx.Response:
        """Serve ``POST``/``GET /restapi/v2.1/accounts/{id}/envelopes``."""
        if request.headers.get("authorization") != f"Bearer {self._token}":
            return httpx.Response(
                401, json={"errorCode": "USER_AUTHENTICATION_FAILED", "message": "bad token"}
            )
        if request.url.path != f"/restapi/v2.1/accounts/{self.account_id}/envelopes":
            return httpx.Response(
                404, json={"errorCode": "RESOURCE_NOT_FOUND", "message": "no such resource"}
            )
        if request.method == "POST":
            return self._create(json.loads(request.content))
        wanted = request.url.params.get("custom_field", "")
        name, _, value = wanted.partition("=")
        found = [
            {"envelopeId": envelope_id, "status": envelope["status"]}
            for envelope_id, envelope in self.envelopes.items()
            if any(
                f.get("name") == name and f.get("value") == value
                for f in envelope.get("customFields", {}).get("textCustomFields", [])
            )
        ]
        return httpx.Response(200, json={"resultSetSize": str(len(found)), "envelopes": found})

    def _create(self, definition: dict[str, Any]) -> httpx.Response:
        if not definition.get("templateId") or not definition.get("templateRoles"):
            return httpx.Response(400, json={"errorCode": "INVALID_REQUEST_BODY", "message": "no template"})
        envelope_id = str(uuid.uuid4())
        self.envelopes[envelope_id] = definition
        body = {
            "envelopeId": envelope_id,
            "uri": f"/envelopes/{envelope_id}",
            "statusDateTime": "2026-01-01T00:00:00.0000000Z",
            "status": definition.get("status", "created"),
        }
        return httpx.Response(201, json=body)
