"""Fixtures for the oracle-ebs tests: a seeded fake ISG endpoint and a config that reaches it."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.oracle_ebs.sandbox import SANDBOX_PASSWORD, SANDBOX_URL, SANDBOX_USER, EbsSandbox


@pytest.fixture
def ebs() -> EbsSandbox:
    """12 customer accounts (a dealer tree) and 9 items in organization 204."""
    return EbsSandbox.seeded()


@pytest.fixture
def ebs_config() -> dict[str, Any]:
    """WS-Security user of the sandbox, small pages, the order context of Vision Operations."""
    return {
        "base_url": SANDBOX_URL,
        "username": SANDBOX_USER,
        "password": SANDBOX_PASSWORD,
        "responsibility": "ORDER_MGMT_SUPER_USER",
        "resp_application": "ONT",
        "org_id": 204,
        "order_type_id": 1437,
        "order_source_id": 1001,
        "page_size": 5,
        "uom_codes": {"EA": "Ea"},
    }
