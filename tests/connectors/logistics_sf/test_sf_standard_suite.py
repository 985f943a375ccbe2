"""airbyte-cdk's standard source tests and the mapping/schema fit, for ``logistics-sf``."""

from __future__ import annotations

from pathlib import Path

import pytest

import connectors.logistics_sf
from connectors.logistics_sf.descriptor import CONNECTOR
from connectors.logistics_sf.sandbox import SfSandbox
from connectors.logistics_sf.source import SfSource
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite
from mappings.registry import load_spec_for
from mappings.schema_check import check_spec_against_schema
from tests.connectors.logistics_sf.conftest import START, sf_config

__all__ = ["TestSfSource", "pytest_generate_tests"]

_SANDBOX = SfSandbox.demo(start=START)

TestSfSource = standard_source_suite(
    lambda: SfSource(transport=_SANDBOX.transport),
    connector_root=Path(connectors.logistics_sf.__file__).parent,
    scenarios={
        "valid": Scenario(sf_config(), "succeed"),
        "wrong_checkword": Scenario(sf_config(checkword="not-the-checkword"), "failed", ("connection",)),
    },
)


@pytest.mark.parametrize("stream", ["waybills", "tracking_events"])
def test_each_mapping_reads_only_columns_the_stream_declares(stream: str) -> None:
    source = SfSource(transport=_SANDBOX.transport)
    [schema] = [
        s.json_schema for s in source.hub_streams(source.parse_config(sf_config())) if s.name == stream
    ]
    assert check_spec_against_schema(load_spec_for("logistics-sf", stream), schema) == []


def test_the_descriptor_loads_this_source_and_lists_its_streams() -> None:
    source = CONNECTOR.create_source()
    assert isinstance(source, SfSource) and CONNECTOR.name == source.connector_name == "logistics-sf"
    streams = source.hub_streams(source.parse_config(sf_config()))
    assert CONNECTOR.streams == tuple(s.name for s in streams)
