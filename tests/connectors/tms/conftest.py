"""Fixtures for the ``tms`` tests: a demo TMS sandbox (e6 signing) and a config for it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.tms.sandbox import SANDBOX_KEY, SANDBOX_SECRET, TmsSandbox
from connectors.tms.source import TmsSource
from tests.connectors.conftest import SleepRecorder

START = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)


def tms_config(**overrides: Any) -> dict[str, Any]:
    """A config for the sandbox's key and secret, three rows per page."""
    return {
        "base_url": "https://tms.sandbox.invalid/altair/rest",
        "app_key": SANDBOX_KEY,
        "app_secret": SANDBOX_SECRET,
        "page_size": 3,
        **overrides,
    }


@pytest.fixture
def sandbox() -> TmsSandbox:
    """Seven waybills (pairs share an update time), three GPS fixes each; e6 signing."""
    return TmsSandbox.demo(start=START)


@pytest.fixture
def source(sandbox: TmsSandbox, sleeps: SleepRecorder) -> TmsSource:
    """The source, routed to the sandbox, never really sleeping."""
    return TmsSource(transport=sandbox.transport, sleep=sleeps)
