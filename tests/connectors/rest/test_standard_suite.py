"""airbyte-cdk's own standard source suite over the ``rest`` source, reading the sandbox in process."""

from __future__ import annotations

from pathlib import Path

import connectors.rest
from connectors.rest.source import RestSource
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite
from tests.connectors.rest.helpers import TOKEN, config, new_sandbox, source, stream

__all__ = ["TestRestSource", "pytest_generate_tests"]  # the hook parametrizes `scenario`


def _source() -> RestSource:
    return source(new_sandbox(), lambda _seconds: None)  # a fresh sandbox for every run


TestRestSource = standard_source_suite(
    _source,
    connector_root=Path(connectors.rest.__file__).parent,
    scenarios={
        "defaults": Scenario(config(), "succeed"),
        "every_style": Scenario(
            config(
                stream("products", "link", page_size=11),
                stream("dealers", "offset", page_size=13),
                stream("stock", "page", page_size=40, partition={"param": "whCode", "values": ["WH-SH"]}),
            ),
            "succeed",
        ),
        "revoked_token": Scenario(config(token="revoked-" + TOKEN), "failed", sections=("connection",)),
    },
)
