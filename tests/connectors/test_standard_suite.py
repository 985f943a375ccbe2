"""airbyte-cdk's own standard source test suite, run offline over the ``sample`` connector.

See :mod:`connectors.testing`: spec (and its secret-marking lint), check (and its secret-leak
check), discover (catalog checks) and full-refresh reads, in-process. The image tests are
switched off (in-repo connectors ship no image).
"""

from __future__ import annotations

from pathlib import Path

import connectors.sample
from connectors.sample.source import SampleSource
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite

__all__ = ["TestSampleSource", "pytest_generate_tests"]  # the hook parametrizes `scenario`

TestSampleSource = standard_source_suite(
    SampleSource,
    connector_root=Path(connectors.sample.__file__).parent,
    scenarios={
        "valid": Scenario({"count": 25, "api_key": "sk_sample_standard_1234", "page_size": 7}, "succeed"),
        "revoked_key": Scenario(
            {"count": 25, "api_key": "sk_revoked_standard_5678"}, "failed", sections=("connection",)
        ),
    },
)
