"""Registry entry of the ``sample`` connector (light: imports no airbyte_cdk)."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR"]

CONNECTOR = Connector(
    name="sample",
    kind="source",
    factory="connectors.sample.source:SampleSource",
    description="In-memory demo source with one incremental stream (framework tests and demos)",
    streams=("items",),
)
