"""airbyte-cdk's standard source suite for any hub source, in one call (import from tests only).

Like meltano's ``get_tap_test_class``: a connector's test module does ::

    from connectors.testing import pytest_generate_tests, standard_source_suite  # noqa: F401

    TestMySource = standard_source_suite(
        MySource,
        connector_root=Path(connectors.my.__file__).parent,
        scenarios={
            "valid": Scenario({"api_key": "..."}, "succeed"),  # spec, check, discover, read
            "revoked_key": Scenario({"api_key": "..."}, "failed", ("connection",)),
        },
    )

The suite runs spec (with Airbyte's secret-marking lint), check (with its secret-leak check),
discover (catalog checks) and full-refresh reads in-process. Scenarios come from Python
rather than an ``acceptance-test-config.yml``. The ``test_docker_image_*`` tests, which
build and run a published connector image, are switched off: in-repo connectors ship none.
``tests/connectors/conftest.py`` registers their ``image_tests`` marker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, NamedTuple

import pytest

from connectors._cdk import AbstractSource

# isort: split
# After connectors._cdk, which imports airbyte_cdk with its import-time warnings silenced.
from airbyte_cdk.test.standard_tests import ConnectorTestScenario, SourceTestSuiteBase

__all__ = ["Scenario", "pytest_generate_tests", "standard_source_suite"]

_IMAGE_TESTS = (
    "test_docker_image_build_and_spec",
    "test_docker_image_spec_backward_compatibility",
    "test_docker_image_build_and_check",
    "test_docker_image_build_and_config_matches_spec",
    "test_docker_image_build_and_discover",
    "test_docker_image_build_and_read",
)


class Scenario(NamedTuple):
    """One config the suite runs, what it expects, and which acceptance sections list it."""

    config: Mapping[str, Any]
    status: Literal["succeed", "failed", "exception"]
    sections: tuple[str, ...] = ("spec", "connection", "discovery", "basic_read")


def standard_source_suite(
    source_factory: Callable[[], AbstractSource],
    *,
    connector_root: Path,
    scenarios: Mapping[str, Scenario],
) -> type[SourceTestSuiteBase]:
    """A ``SourceTestSuiteBase`` subclass for ``source_factory``; bind it to a ``Test*`` name."""

    def create_connector(cls: type[SourceTestSuiteBase], scenario: ConnectorTestScenario | None) -> Any:
        return source_factory()

    def get_connector_root_dir(cls: type[SourceTestSuiteBase]) -> Path:
        return connector_root

    def get_scenarios(cls: type[SourceTestSuiteBase]) -> list[ConnectorTestScenario]:
        built = []
        for scenario_id, scenario in scenarios.items():
            test_scenario = ConnectorTestScenario(
                config_dict=dict(scenario.config), status=scenario.status, sections=scenario.sections
            )
            test_scenario._id = scenario_id  # the pytest id; private in airbyte-cdk but read by `.id`
            built.append(test_scenario)
        return built

    namespace: dict[str, Any] = {
        "create_connector": classmethod(create_connector),
        "get_connector_root_dir": classmethod(get_connector_root_dir),
        "get_scenarios": classmethod(get_scenarios),
        **dict.fromkeys(_IMAGE_TESTS),
    }
    return type(f"StandardSuite_{connector_root.name}", (SourceTestSuiteBase,), namespace)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``scenario`` from the suite class (import this into the test module)."""
    if "scenario" in metafunc.fixturenames and metafunc.cls is not None:
        built = metafunc.cls.get_scenarios()
        metafunc.parametrize("scenario", built, ids=[scenario.id for scenario in built])
