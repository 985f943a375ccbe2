"""Signed FASC v5.1 requests: the sandbox verifies them as 法大大 does, and a sign task is created."""

from __future__ import annotations

import pytest

from connectors.errors import RemoteRejected
from connectors.esign_fadada.api_sandbox import FascApiSandbox
from connectors.esign_fadada.client import FascApiConfig, FascClient, sign_task_for
from connectors.esign_fadada.sandbox import new_app_secret
from connectors.http import HttpClientConfig


def client_for(api: FascApiSandbox, secret: str) -> FascClient:
    config = FascApiConfig(
        base_url="https://uat-api.fadada.test/api/v5",
        app_id=api.app_id,
        app_secret=secret,
        brand_open_corp_id="corp-brand",
    )
    http = HttpClientConfig(
        system="esign-fadada", base_url=config.base_url, secrets=(secret,), sleep=lambda _: None
    )
    return FascClient(config, transport=api.transport, http=http)


def test_a_sign_task_is_created_with_the_dealer_as_signer_and_our_reference() -> None:
    secret = new_app_secret()
    api = FascApiSandbox(app_id="80000001", app_secret=secret)
    client = client_for(api, secret)
    task = sign_task_for(
        client.config,
        contract_no="C-2026-002",
        dealer_code="D001",
        dealer_name="杭州西湖经销商",
        notify_mobile="13800000000",
    )
    task_id = client.create_sign_task(task)
    created = api.sign_tasks[task_id]
    assert created["transReferenceId"] == "D001:C-2026-002"
    assert [a["actorId"] for a in created["actors"]] == ["brand", "D001"]


def test_a_request_signed_with_the_wrong_secret_is_refused_without_leaking_it() -> None:
    api = FascApiSandbox(app_id="80000001", app_secret=new_app_secret())
    wrong = new_app_secret()
    with pytest.raises(RemoteRejected, match="210001") as raised:
        client_for(api, wrong).access_token()
    assert wrong not in str(raised.value)
