"""Fixtures for the ``wms-flux`` tests: a demo FLUX sandbox and a config that reaches it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.wms_flux.sandbox import SANDBOX_CREDENTIALS, FluxSandbox
from connectors.wms_flux.source import FluxSource
from tests.connectors.conftest import SleepRecorder

SHIPPED_FROM = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
BASE_URL = "http://flux.sandbox.invalid/datahub/FluxWmsJsonApi/"


def flux_config(**overrides: Any) -> dict[str, Any]:
    """A config for the sandbox's demo credentials, two warehouses, small pages."""
    return {
        **SANDBOX_CREDENTIALS,
        "base_url": BASE_URL,
        "warehouse_ids": ["WH01", "WH02"],
        "page_size": 5,
        **overrides,
    }


@pytest.fixture
def sandbox() -> FluxSandbox:
    """12 SKUs × 2 lots in WH01 and WH02, two shipments per warehouse."""
    return FluxSandbox.demo(skus=12, shipped_from=SHIPPED_FROM)


@pytest.fixture
def source(sandbox: FluxSandbox, sleeps: SleepRecorder) -> FluxSource:
    """The source, routed to the sandbox, never really sleeping."""
    return FluxSource(transport=sandbox.transport, sleep=sleeps)
