"""airbyte-cdk's standard source tests over ``oracle-ebs``, against its sandbox."""

from __future__ import annotations

from pathlib import Path

import connectors.oracle_ebs
from connectors.oracle_ebs.sandbox import SANDBOX_PASSWORD, SANDBOX_URL, SANDBOX_USER, EbsSandbox
from connectors.oracle_ebs.source import OracleEbsSource
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite

__all__ = ["TestOracleEbsSource", "pytest_generate_tests"]  # the hook parametrizes `scenario`


def _source() -> OracleEbsSource:
    return OracleEbsSource(transport=EbsSandbox.seeded().transport())


_GOOD = {"base_url": SANDBOX_URL, "username": SANDBOX_USER, "password": SANDBOX_PASSWORD}

TestOracleEbsSource = standard_source_suite(
    _source,
    connector_root=Path(connectors.oracle_ebs.__file__).parent,
    scenarios={
        "valid": Scenario({**_GOOD, "page_size": 4}, "succeed"),
        "wrong_password": Scenario(
            {**_GOOD, "password": "Wrong-pass-123"}, "failed", sections=("connection",)
        ),
    },
)
