"""Fixtures for the oracle-fusion tests: a seeded sandbox and a config that reaches it."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.oracle_fusion.sandbox import SANDBOX_PASSWORD, SANDBOX_URL, SANDBOX_USER, FusionSandbox


@pytest.fixture
def fusion() -> FusionSandbox:
    """24 legacy orders (system LEG), two per LastUpdateDate."""
    return FusionSandbox.seeded()


@pytest.fixture
def fusion_config() -> dict[str, Any]:
    """Basic auth to the sandbox, small pages, a business unit for creates."""
    return {
        "base_url": SANDBOX_URL,
        "auth": {"type": "basic", "username": SANDBOX_USER, "password": SANDBOX_PASSWORD},
        "page_size": 5,
        "business_unit_name": "Vision Operations",
        "uom_codes": {"EA": "Ea"},
    }
