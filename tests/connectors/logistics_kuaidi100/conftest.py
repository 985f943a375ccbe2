"""Fixtures for the ``logistics-kuaidi100`` tests: a demo 快递100 sandbox and a config for it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.logistics_kuaidi100.sandbox import SANDBOX_CUSTOMER, SANDBOX_KEY, Kuaidi100Sandbox
from connectors.logistics_kuaidi100.source import Kuaidi100Source
from tests.connectors.conftest import SleepRecorder

START = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
WAYBILLS = [
    {"company": "shunfeng", "number": "SF1000000001", "shipment_no": "SH-0001", "phone": "5678"},
    {"company": "yuantong", "number": "YT2000000002", "shipment_no": "SH-0002"},
    {"company": "zhongtong", "number": "ZT3000000003"},
]


def k100_config(**overrides: Any) -> dict[str, Any]:
    """A config for the sandbox's customer and key, tracking the three demo waybills."""
    return {
        "customer": SANDBOX_CUSTOMER,
        "key": SANDBOX_KEY,
        "salt": "push-salt-01",
        "callback_url": "https://hub.example.com/webhooks/kuaidi100",
        "base_url": "https://poll.kuaidi100.sandbox.invalid",
        "waybills": WAYBILLS,
        **overrides,
    }


@pytest.fixture
def sandbox() -> Kuaidi100Sandbox:
    """Three routes: delivered (SF), out for delivery (YT), in transit (ZT)."""
    return Kuaidi100Sandbox.demo(start=START)


@pytest.fixture
def source(sandbox: Kuaidi100Sandbox, sleeps: SleepRecorder) -> Kuaidi100Source:
    """The source, routed to the sandbox, never really sleeping."""
    return Kuaidi100Source(transport=sandbox.transport, sleep=sleeps)
