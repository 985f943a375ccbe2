"""airbyte-cdk's standard source tests and the mapping/schema fit, for ``logistics-kuaidi100``."""

from __future__ import annotations

from pathlib import Path

import pytest

import connectors.logistics_kuaidi100
from connectors.logistics_kuaidi100.descriptor import CONNECTOR
from connectors.logistics_kuaidi100.sandbox import Kuaidi100Sandbox
from connectors.logistics_kuaidi100.source import Kuaidi100Source
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite
from mappings.registry import load_spec_for
from mappings.schema_check import check_spec_against_schema
from tests.connectors.logistics_kuaidi100.conftest import START, k100_config

__all__ = ["TestKuaidi100Source", "pytest_generate_tests"]

_SANDBOX = Kuaidi100Sandbox.demo(start=START)

TestKuaidi100Source = standard_source_suite(
    lambda: Kuaidi100Source(transport=_SANDBOX.transport),
    connector_root=Path(connectors.logistics_kuaidi100.__file__).parent,
    scenarios={
        "valid": Scenario(k100_config(), "succeed"),
        "wrong_key": Scenario(k100_config(key="not-the-key"), "failed", ("connection",)),
    },
)


@pytest.mark.parametrize("stream", ["waybills", "tracking_events"])
def test_each_mapping_reads_only_columns_the_stream_declares(stream: str) -> None:
    source = Kuaidi100Source(transport=_SANDBOX.transport)
    [schema] = [
        s.json_schema for s in source.hub_streams(source.parse_config(k100_config())) if s.name == stream
    ]
    assert check_spec_against_schema(load_spec_for("logistics-kuaidi100", stream), schema) == []


def test_the_descriptor_loads_this_source_and_lists_its_streams() -> None:
    source = CONNECTOR.create_source()
    assert (
        isinstance(source, Kuaidi100Source)
        and CONNECTOR.name == source.connector_name == "logistics-kuaidi100"
    )
    streams = source.hub_streams(source.parse_config(k100_config()))
    assert CONNECTOR.streams == tuple(s.name for s in streams)
