"""The sandbox's fixed names and seed data (deterministic, so tests and demos can rely on them)."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.oracle_fusion.client import RESOURCE
from connectors.oracle_fusion.spec import API_VERSION

__all__ = [
    "BASE_PATH",
    "BASE_TIME",
    "SANDBOX_PASSWORD",
    "SANDBOX_URL",
    "SANDBOX_USER",
    "SEED_ITEMS",
    "SEED_PARTIES",
]

SANDBOX_URL = "https://fusion-sandbox.dmshub.invalid"
SANDBOX_USER = "DMSHUB.INTEGRATION"
SANDBOX_PASSWORD = "Welcome1-sandbox"  # noqa: S105 - the sandbox's own demo user, documented
BASE_TIME = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
SEED_PARTIES = ("D1001", "D1002", "D1003")
SEED_ITEMS = ("FG-1001", "FG-1002", "FG-1003")
BASE_PATH = f"/fscmRestApi/resources/{API_VERSION}/{RESOURCE}"
