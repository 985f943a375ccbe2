"""Fixtures of the ``rest`` connector tests (helpers live in ``helpers.py``)."""

from __future__ import annotations

import pytest

from connectors.rest.sandbox import Sandbox
from tests.connectors.rest.helpers import new_sandbox


@pytest.fixture
def sandbox() -> Sandbox:
    """The demo dataset (48 products, 48 dealers, lot-tracked stock) behind the canary token."""
    return new_sandbox()
