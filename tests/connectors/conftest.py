"""Fixtures for connector tests.

``remote``: a respx router for faking vendor APIs that lets loopback traffic through (a bare
``respx.mock`` would also intercept Prefect's own API client on 127.0.0.1).
``sleeps``: a recording ``sleep`` for the HTTP client and helpers, so retries never wait.
Also registers the ``image_tests`` marker that airbyte-cdk's standard suite uses
(see :mod:`connectors.testing`).

This module must not import airbyte_cdk (it would reconfigure logging for every test here).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx


def pytest_configure(config: pytest.Config) -> None:
    # airbyte-cdk's standard suite decorates its docker tests with this marker at import time;
    # under --strict-markers an unregistered marker fails collection.
    config.addinivalue_line(
        "markers", "image_tests: airbyte-cdk standard-suite tests that need a connector image"
    )


# A tuple, not a list: respx hashes route patterns and its Host pattern keeps the value as given.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@pytest.fixture
def remote() -> Iterator[respx.MockRouter]:
    """A respx router active for the test; unmatched non-loopback calls fail the test."""
    with respx.mock(assert_all_called=False) as router:
        router.route(host__in=LOOPBACK_HOSTS).pass_through()
        yield router


class SleepRecorder:
    """A ``sleep`` replacement that records what it was asked to wait, and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    """Records every wait; nothing really sleeps."""
    return SleepRecorder()
