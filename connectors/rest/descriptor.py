"""Registry entry of the ``rest`` connector (light: imports no airbyte_cdk)."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR"]

CONNECTOR = Connector(
    name="rest",
    kind="source",
    factory="connectors.rest.source:RestSource",
    description="Generic paginated REST/JSON source (offset, page, cursor, Link); ships a demo sandbox",
    streams=("products", "dealers", "stock"),
)
