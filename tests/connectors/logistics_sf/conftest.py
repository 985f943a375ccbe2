"""Fixtures for the ``logistics-sf`` tests: a demo 丰桥 sandbox and a config for it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.logistics_sf.sandbox import SANDBOX_CHECKWORD, SANDBOX_PARTNER, SfSandbox
from connectors.logistics_sf.source import SfSource
from tests.connectors.conftest import SleepRecorder

START = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
WAYBILLS = [
    {"number": "SF1000000001", "shipment_no": "SH-0001"},
    {"number": "SF1000000002", "shipment_no": "SH-0002", "phone": "1234"},
]


def sf_config(**overrides: Any) -> dict[str, Any]:
    """A config for the sandbox's partner and checkword, tracking the two demo waybills."""
    return {
        "partner_id": SANDBOX_PARTNER,
        "checkword": SANDBOX_CHECKWORD,
        "base_url": "https://sfapi.sandbox.invalid/std/service",
        "waybills": WAYBILLS,
        **overrides,
    }


@pytest.fixture
def sandbox() -> SfSandbox:
    """SF1000000001 delivered; SF1000000002 (phone 1234) out for delivery."""
    return SfSandbox.demo(start=START)


@pytest.fixture
def source(sandbox: SfSandbox, sleeps: SleepRecorder) -> SfSource:
    """The source, routed to the sandbox, never really sleeping."""
    return SfSource(transport=sandbox.transport, sleep=sleeps)
