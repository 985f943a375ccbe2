"""Fixtures for the ``sap-odata`` tests: the sales-order service sandbox and a config for it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.sap_odata.sandbox import SalesOrderSandbox

USER = "HUB_COMM"
PASSWORD = "odata-pw-0815"


@pytest.fixture
def service() -> SalesOrderSandbox:
    """The sandbox service with its 12 demo orders and one communication user."""
    return SalesOrderSandbox.demo(users={USER: PASSWORD})


@pytest.fixture
def transport(service: SalesOrderSandbox) -> httpx.MockTransport:
    """An httpx transport that answers from the sandbox."""
    return httpx.MockTransport(service.handle)


@pytest.fixture
def config() -> dict[str, Any]:
    """A config for the sandbox's communication user."""
    return {
        "base_url": "https://s4-sandbox.dmshub.invalid",
        "username": USER,
        "password": PASSWORD,
        "page_size": 5,
        "orders": {"sales_organization": "1710"},
    }
