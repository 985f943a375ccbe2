"""The ``rest`` source's config: minimal configs, validation without values, secrets, registry."""

from __future__ import annotations

import io
import json
from importlib.metadata import EntryPoint
from typing import Any

import pytest

from canonical_model.errors import ConfigError
from connectors.redaction import secret_values
from connectors.registry import get_connector
from connectors.rest.descriptor import CONNECTOR
from connectors.rest.source import RestSource
from connectors.rest.spec import OffsetPagination, RestConfig, StreamDefinition
from connectors.runner import run_source_cli
from tests.connectors.rest.helpers import TOKEN, config, stream


def test_a_base_url_and_a_token_are_a_complete_config() -> None:
    parsed = RestSource().parse_config(
        {"base_url": "https://erp.example.com/api/", "auth": {"type": "bearer", "token": TOKEN}}
    )
    assert parsed.base_url == "https://erp.example.com/api"
    assert [(s.name, s.path, s.pagination.type) for s in parsed.streams] == [
        ("products", "/v1/products", "offset"),
        ("dealers", "/v2/dealers", "page"),
        ("stock", "/v3/stock", "cursor"),
    ]
    assert [(s.cursor_param, s.advance_since) for s in parsed.streams] == [("updated_since", True)] * 2 + [
        ("updated_since", False)  # keyset cursors need no help
    ]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"base_url": "ftp://erp"}, "base_url"),
        ({"auth": {"type": "bearer"}}, "auth.bearer.token"),
        ({"auth": {"type": "oauth", "token": TOKEN}}, "auth"),
        ({"streams": [stream("products", "offset"), stream("products", "page")]}, "unique"),
        ({"streams": [{**stream("products", "offset"), "cursor_field": None}]}, "cursor_param needs"),
        ({"streams": [{**stream("products", "offset"), "since_timezone": "Mars/Base"}]}, "time zone"),
        ({"streams": [{**stream("products", "offset"), "pagination": {"type": "scroll"}}]}, "pagination"),
        ({"max_retries": 99}, "max_retries"),
    ],
)
def test_a_bad_config_names_the_field_never_the_token(change: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ConfigError, match=complaint) as caught:
        RestSource().parse_config({**config(), **change})
    assert TOKEN not in str(caught.value) and "\n" not in str(caught.value)


def test_the_spec_marks_every_credential_secret_and_keeps_no_dangling_references() -> None:
    spec = RestSource().connection_specification()
    auth = {
        variant["properties"]["type"]["const"]: variant for variant in spec["properties"]["auth"]["oneOf"]
    }
    assert auth["bearer"]["properties"]["token"]["airbyte_secret"] is True
    assert auth["api_key"]["properties"]["value"]["airbyte_secret"] is True
    assert auth["basic"]["properties"]["password"]["airbyte_secret"] is True
    assert "#/$defs" not in json.dumps(spec)
    api_key = {**config(), "auth": {"type": "api_key", "header": "X-Key", "value": TOKEN}}
    assert secret_values(api_key, spec) == [TOKEN]


def test_a_single_primary_key_may_be_given_as_a_string() -> None:
    definition = StreamDefinition(name="items", path="/items", primary_key="id")
    assert definition.primary_key == ["id"]


def test_advance_since_applies_only_to_sorted_streams_with_a_server_side_filter() -> None:
    paged = OffsetPagination(type="offset")
    base: dict[str, Any] = {"name": "s", "path": "/s", "primary_key": ["id"], "pagination": paged}
    assert StreamDefinition(**base, cursor_field="t", cursor_param="since").advance_since
    assert not StreamDefinition(**base, cursor_field="t").advance_since
    assert not StreamDefinition(**base, cursor_field="t", cursor_param="since", sorted=False).advance_since


def test_the_descriptor_loads_the_source_through_the_entry_point_group() -> None:
    entry = EntryPoint(name="rest", value="connectors.rest.descriptor:CONNECTOR", group="dmshub.connectors")
    connector = get_connector("rest", entry_points=lambda: [entry])
    assert connector is CONNECTOR and connector.info.streams == ("products", "dealers", "stock")
    assert isinstance(connector.create_source(), RestSource)


def test_python_m_connectors_rest_spec_prints_the_spec() -> None:
    out = io.StringIO()
    assert run_source_cli(RestSource, ["spec"], stdout=out) == 0
    [message] = [json.loads(line) for line in out.getvalue().splitlines() if '"SPEC"' in line]
    assert message["spec"]["connectionSpecification"]["title"] == RestConfig.model_config["title"]
