"""airbyte-cdk's standard source tests and the mapping/schema fit, for ``wms-flux``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import connectors.wms_flux
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite
from connectors.wms_flux.descriptor import CONNECTOR, ORDER_SINK
from connectors.wms_flux.sandbox import FluxSandbox
from connectors.wms_flux.source import FluxSource
from mappings.registry import load_spec_for
from mappings.schema_check import check_spec_against_schema
from tests.connectors.wms_flux.conftest import flux_config

__all__ = ["TestFluxSource", "pytest_generate_tests"]

_SANDBOX = FluxSandbox.demo(skus=4, shipped_from=datetime(2024, 5, 1, tzinfo=UTC))

TestFluxSource = standard_source_suite(
    lambda: FluxSource(transport=_SANDBOX.transport),
    connector_root=Path(connectors.wms_flux.__file__).parent,
    scenarios={
        "valid": Scenario(flux_config(), "succeed"),
        "wrong_secret": Scenario(flux_config(app_secret="not-the-secret"), "failed", ("connection",)),
    },
)


@pytest.mark.parametrize("stream", ["inventory", "shipments", "shipment_lines"])
def test_each_mapping_reads_only_columns_the_stream_declares(stream: str) -> None:
    source = FluxSource(transport=_SANDBOX.transport)
    [schema] = [
        s.json_schema for s in source.hub_streams(source.parse_config(flux_config())) if s.name == stream
    ]
    assert check_spec_against_schema(load_spec_for("wms-flux", stream), schema) == []


def test_the_descriptor_loads_this_source_and_lists_its_streams() -> None:
    source = CONNECTOR.create_source()
    assert isinstance(source, FluxSource) and CONNECTOR.name == source.connector_name == "wms-flux"
    streams = source.hub_streams(source.parse_config(flux_config()))
    assert CONNECTOR.streams == tuple(s.name for s in streams)


def test_the_order_sink_descriptor_builds_a_sink_from_a_config_mapping() -> None:
    from connectors.sink import Sink

    assert isinstance(ORDER_SINK.create_sink(flux_config()), Sink)
