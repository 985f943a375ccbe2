"""Registry entry of the ``file-drop`` connector (light: imports no airbyte_cdk)."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR"]

CONNECTOR = Connector(
    name="file-drop",
    kind="source",
    factory="connectors.file_drop.source:FileDropSource",
    description="CSV, XLSX and JSON-lines files from a local folder or an http(s) location (WMS/ERP drops)",
    streams=("stock", "products", "dealers"),
)
