"""airbyte-cdk's standard source tests and the mapping/schema fit, for ``tms``."""

from __future__ import annotations

from pathlib import Path

import pytest

import connectors.tms
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite
from connectors.tms.descriptor import CONNECTOR
from connectors.tms.sandbox import TmsSandbox
from connectors.tms.source import TmsSource
from mappings.registry import load_spec_for
from mappings.schema_check import check_spec_against_schema
from tests.connectors.tms.conftest import START, tms_config

__all__ = ["TestTmsSource", "pytest_generate_tests"]

_SANDBOX = TmsSandbox.demo(start=START)

TestTmsSource = standard_source_suite(
    lambda: TmsSource(transport=_SANDBOX.transport),
    connector_root=Path(connectors.tms.__file__).parent,
    scenarios={
        "valid": Scenario(tms_config(), "succeed"),
        "wrong_secret": Scenario(tms_config(app_secret="not-the-secret"), "failed", ("connection",)),
    },
)


@pytest.mark.parametrize("stream", ["waybills", "vehicle_positions"])
def test_each_mapping_reads_only_columns_the_stream_declares(stream: str) -> None:
    source = TmsSource(transport=_SANDBOX.transport)
    [schema] = [
        s.json_schema for s in source.hub_streams(source.parse_config(tms_config())) if s.name == stream
    ]
    assert check_spec_against_schema(load_spec_for("tms", stream), schema) == []


def test_the_descriptor_loads_this_source_and_lists_its_streams() -> None:
    source = CONNECTOR.create_source()
    assert isinstance(source, TmsSource) and CONNECTOR.name == source.connector_name == "tms"
    streams = source.hub_streams(source.parse_config(tms_config()))
    assert CONNECTOR.streams == tuple(s.name for s in streams)
