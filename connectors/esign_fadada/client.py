"""法大大 FASC OpenAPI v5.1 client: signed requests, an access token, sign tasks for dealer contracts.

Every request carries the ``X-FASC-*`` headers signed as in :mod:`.signing`, with
``X-FASC-Api-SubVersion: 5.1`` and a fresh 32-character nonce; ``bizContent`` is a form
field holding JSON. The token comes from ``/service/get-access-token`` with
``X-FASC-Grant-Type: client_credential`` (path **[unverified]**). A sign task's
``transReferenceId`` is ``"<dealer_code>:<contract_no>"``: callbacks name our contract with it.
FASC answers ``{"code": "100000", "msg", "data"}`` on success (the code is **[unverified]**).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.errors import RemoteRejected
from connectors.esign_fadada.signing import fasc_headers
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client

__all__ = ["FascApiConfig", "FascClient", "sign_task_for"]

SYSTEM = "esign-fadada"
SUCCESS = "100000"


class FascApiConfig(BaseModel):
    """App credentials and the brand's side of every sign task."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(default="https://uat-api.fadada.com/api/v5", description="FASC API root.")
    app_id: str = Field(min_length=1)
    app_secret: SecretStr = Field(json_schema_extra={"airbyte_secret": True})
    brand_open_corp_id: str = Field(min_length=1, description="The brand's openCorpId (initiator).")
    sign_template_id: str | None = Field(default=None, description="FASC sign-task template, if any.")


def sign_task_for(
    config: FascApiConfig, *, contract_no: str, dealer_code: str, dealer_name: str, notify_mobile: str
) -> dict[str, Any]:
    """The ``/sign-task/create`` bizContent: the brand initiates and signs, the dealer signs."""
    task: dict[str, Any] = {
        "initiator": {"idType": "corp", "openId": config.brand_open_corp_id},
        "signTaskSubject": f"经销合同 {contract_no} {dealer_name}",
        "transReferenceId": f"{dealer_code}:{contract_no}",
        "autoStart": True,
        "actors": [
            {"actorType": "signer", "actorId": "brand", "actorIdentType": "corp"},
            {
                "actorType": "signer",
                "actorId": dealer_code,
                "actorIdentType": "corp",
                "actorName": dealer_name,
                "notification": {
                    "sendNotification": True,
                    "notifyWay": "mobile",
                    "notifyAddress": notify_mobile,
                },
            },
        ],
    }
    if config.sign_template_id:
        task["signTemplateId"] = config.sign_template_id
    return task


class FascClient:
    """Signed calls to one FASC app."""

    def __init__(
        self,
        config: FascApiConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        http: HttpClientConfig | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        secret = config.app_secret.get_secret_value()
        self._http: HubHttpClient = build_http_client(
            http or HttpClientConfig(system=SYSTEM, base_url=config.base_url, secrets=(secret,)),
            transport=transport,
        )
        self._token: str | None = None

    def _call(self, path: str, biz: dict[str, Any] | None, extra: dict[str, str]) -> dict[str, Any]:
        biz_content = None if biz is None else json.dumps(biz, ensure_ascii=False, separators=(",", ":"))
        headers = fasc_headers(
            self.config.app_id,
            self.config.app_secret.get_secret_value(),
            biz_content,
            timestamp_ms=int(self._clock() * 1000),
            extra={"X-FASC-Api-SubVersion": "5.1", **extra},
        )
        data = None if biz_content is None else {"bizContent": biz_content}
        body = self._http.post(path, data=data, headers=headers).json()
        if not isinstance(body, dict) or str(body.get("code")) != SUCCESS:
            code, msg = (body.get("code"), body.get("msg")) if isinstance(body, dict) else (None, None)
            raise RemoteRejected(
                f"FASC {path} refused: {code} {msg}", system=SYSTEM, remote_messages=[str(msg)]
            )
        data_out = body.get("data")
        return data_out if isinstance(data_out, dict) else {}

    def access_token(self) -> str:
        """A (cached) access token for this app."""
        if self._token is None:
            data = self._call("/service/get-access-token", None, {"X-FASC-Grant-Type": "client_credential"})
            self._token = str(data.get("accessToken") or "")
            if not self._token:
                raise RemoteRejected("FASC returned no accessToken", system=SYSTEM)
        return self._token

    def create_sign_task(self, task: dict[str, Any]) -> str:
        """Create the sign task ``task`` (see :func:`sign_task_for`); its ``signTaskId``."""
        data = self._call("/sign-task/create", task, {"X-FASC-AccessToken": self.access_token()})
        if not data.get("signTaskId"):
            raise RemoteRejected("FASC created a sign task without a signTaskId", system=SYSTEM)
        return str(data["signTaskId"])

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()
