"""Fixtures for the ``sap-rfc`` tests: a sandbox SAP system and configs that log on to it."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.sap_rfc.sandbox import SapSandbox

USER = "HUB_RFC"
PASSWORD = "rfc-pw-4711"


@pytest.fixture
def sandbox() -> SapSandbox:
    """The sandbox with the built-in demo data and one RFC user."""
    return SapSandbox.demo(users={USER: PASSWORD})


@pytest.fixture
def config() -> dict[str, Any]:
    """A direct-logon config for the sandbox user."""
    return {
        "ashost": "sap-erp.example.invalid",
        "sysnr": "00",
        "client": "100",
        "user": USER,
        "passwd": PASSWORD,
        "lang": "ZH",
        "customer_append_fields": ["ZZADCODE"],
    }
