"""Envelopes from the template for a dealer contract, created at most once."""

from __future__ import annotations

import pytest

from connectors.esign_docusign.api_sandbox import EnvelopeApiSandbox
from connectors.esign_docusign.client import (
    DealerContract,
    DocuSignApiConfig,
    DocuSignEnvelopeSink,
    envelope_for,
)
from connectors.http import HttpClientConfig
from connectors.sink import submit_exactly_once

TOKEN = "ds-token-canary-7Kq"
CONFIG = DocuSignApiConfig.model_validate(
    {
        "base_url": "https://demo.docusign.test",
        "account_id": "acc-1",
        "access_token": TOKEN,
        "template_id": "tpl-dealer-2026",
        "brand_signer_name": "品牌法务",
        "brand_signer_email": "legal@brand.example",
    }
)
CONTRACT = DealerContract(
    contract_no="C-2026-001",
    dealer_code="D001",
    dealer_name="杭州西湖经销商",
    dealer_uscc="91330106MA2XXXXX0X",
    signer_name="张三",
    signer_email="zhang@dealer.example",
    valid_until="2026-12-31",
)


@pytest.fixture
def api() -> EnvelopeApiSandbox:
    return EnvelopeApiSandbox(account_id="acc-1", access_token=TOKEN)


@pytest.fixture
def sink(api: EnvelopeApiSandbox) -> DocuSignEnvelopeSink:
    http = HttpClientConfig(
        system="esign-docusign",
        base_url=CONFIG.base_url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        secrets=(TOKEN,),
        sleep=lambda _: None,
    )
    return DocuSignEnvelopeSink(CONFIG, transport=api.transport, http=http)


def test_the_envelope_fills_both_roles_prefills_the_dealer_and_carries_our_contract_no() -> None:
    envelope = envelope_for(CONTRACT, CONFIG)
    dealer, brand = envelope["templateRoles"]
    assert (envelope["templateId"], dealer["roleName"], brand["roleName"]) == (
        "tpl-dealer-2026",
        "Dealer",
        "Brand",
    )
    assert {t["tabLabel"]: t["value"] for t in dealer["tabs"]["textTabs"]} == {
        "dealer_name": "杭州西湖经销商",
        "dealer_uscc": "91330106MA2XXXXX0X",
    }
    fields = {f["name"]: f["value"] for f in envelope["customFields"]["textCustomFields"]}
    assert fields == {"contract_no": "C-2026-001", "dealer_code": "D001", "valid_until": "2026-12-31"}


def test_a_timeout_after_the_envelope_was_created_does_not_create_a_second_one(
    api: EnvelopeApiSandbox, sink: DocuSignEnvelopeSink
) -> None:
    api.time_out_next(after_processing=True)
    envelope_id = submit_exactly_once(
        sink, envelope_for(CONTRACT, CONFIG), CONTRACT.contract_no, sleep=lambda _: None
    )
    assert list(api.envelopes) == [envelope_id]


def test_resubmitting_a_sent_contract_finds_its_envelope(
    api: EnvelopeApiSandbox, sink: DocuSignEnvelopeSink
) -> None:
    first = submit_exactly_once(sink, envelope_for(CONTRACT, CONFIG), CONTRACT.contract_no)
    again = submit_exactly_once(sink, envelope_for(CONTRACT, CONFIG), CONTRACT.contract_no, lookup_first=True)
    assert first == again
    assert len(api.envelopes) == 1
