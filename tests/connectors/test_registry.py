"""Connector discovery through the ``dmshub.connectors`` entry-point group."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest

from canonical_model.errors import ConfigError
from connectors.descriptor import Connector, ConnectorInfo
from connectors.registry import ENTRY_POINT_GROUP, broken_plugins, discover, get_connector, list_connectors

SAMPLE = EntryPoint("sample", "connectors.sample.descriptor:CONNECTOR", ENTRY_POINT_GROUP)
MISSING_MODULE = EntryPoint("ghost", "connectors_that_do_not_exist.descriptor:CONNECTOR", ENTRY_POINT_GROUP)
NOT_A_DESCRIPTOR = EntryPoint("odd", "connectors.sample.spec:API_KEY_PREFIX", ENTRY_POINT_GROUP)
MISNAMED = EntryPoint("other", "connectors.sample.descriptor:CONNECTOR", ENTRY_POINT_GROUP)


def installed() -> list[EntryPoint]:
    return [MISSING_MODULE, SAMPLE, NOT_A_DESCRIPTOR, MISNAMED]


def test_listing_shows_working_connectors_and_survives_broken_plugins() -> None:
    assert list_connectors(entry_points=installed) == [
        ConnectorInfo(
            name="sample",
            kind="source",
            streams=("items",),
            package="connectors.sample",
            description="In-memory demo source with one incremental stream (framework tests and demos)",
        )
    ]
    reasons = {plugin.name: plugin.reason for plugin in broken_plugins(entry_points=installed)}
    assert set(reasons) == {"ghost", "odd", "other"}
    assert "cannot be loaded" in reasons["ghost"]
    assert "not a connectors.descriptor.Connector" in reasons["odd"]
    assert "registered as 'other'" in reasons["other"]


def test_a_duplicate_name_is_reported_and_the_first_one_kept() -> None:
    twice = discover(lambda: [SAMPLE, EntryPoint("sample", "connectors.sample.descriptor:CONNECTOR", "x")])
    assert list(twice.connectors) == ["sample"]
    assert [plugin.name for plugin in twice.broken] == ["sample"]


def test_get_connector_returns_the_descriptor_and_creates_its_source() -> None:
    connector = get_connector("sample", entry_points=installed)
    source = connector.create_source()
    assert type(source).__name__ == "SampleSource"
    with pytest.raises(ConfigError, match="is a source, not a sink"):
        connector.create_sink({})


def test_an_unknown_connector_is_a_config_error_listing_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown connector 'sap'; known connectors: sample"):
        get_connector("sap", entry_points=installed)
    with pytest.raises(ConfigError, match="installed but broken"):
        get_connector("ghost", entry_points=installed)


def test_a_descriptor_must_name_a_kind_and_a_factory_path() -> None:
    with pytest.raises(ValueError, match="kind"):
        Connector(name="x", kind="pipe", factory="a:b", description="")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="module:attribute"):
        Connector(name="x", kind="sink", factory="a.b", description="")
    with pytest.raises(ConfigError, match="cannot load"):
        Connector(
            name="x", kind="source", factory="connectors.sample.source:Nope", description=""
        ).create_source()


def test_listing_connectors_imports_no_heavy_library() -> None:
    # In a fresh interpreter: the CLI lists connectors without airbyte_cdk (which rewires
    # logging), zeep or paramiko being imported.
    script = textwrap.dedent(
        """
        import sys
        from importlib.metadata import EntryPoint
        import connectors
        from connectors.registry import list_connectors
        ep = EntryPoint("sample", "connectors.sample.descriptor:CONNECTOR", "dmshub.connectors")
        assert [info.name for info in list_connectors(entry_points=lambda: [ep])] == ["sample"]
        heavy = sorted(name for name in ("airbyte_cdk", "zeep", "paramiko", "pandas") if name in sys.modules)
        print(",".join(heavy))
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""
