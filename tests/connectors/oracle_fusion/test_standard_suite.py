"""airbyte-cdk's standard source tests over ``oracle-fusion``, against its sandbox."""

from __future__ import annotations

from pathlib import Path

import connectors.oracle_fusion
from connectors.oracle_fusion.sandbox import SANDBOX_PASSWORD, SANDBOX_URL, SANDBOX_USER, FusionSandbox
from connectors.oracle_fusion.source import OracleFusionSource
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite

__all__ = ["TestOracleFusionSource", "pytest_generate_tests"]  # the hook parametrizes `scenario`


def _source() -> OracleFusionSource:
    return OracleFusionSource(transport=FusionSandbox.seeded().transport())


_GOOD = {
    "base_url": SANDBOX_URL,
    "auth": {"type": "basic", "username": SANDBOX_USER, "password": SANDBOX_PASSWORD},
}

TestOracleFusionSource = standard_source_suite(
    _source,
    connector_root=Path(connectors.oracle_fusion.__file__).parent,
    scenarios={
        "valid": Scenario({**_GOOD, "page_size": 7}, "succeed"),
        "wrong_password": Scenario(
            {**_GOOD, "auth": {"type": "basic", "username": SANDBOX_USER, "password": "Wrong-pass-123"}},
            "failed",
            sections=("connection",),
        ),
    },
)
