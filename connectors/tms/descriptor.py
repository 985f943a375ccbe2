"""Registry entry of the ``tms`` connector (light: imports no airbyte_cdk)."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR"]

CONNECTOR = Connector(
    name="tms",
    kind="source",
    factory="connectors.tms.source:TmsSource",
    description="G7/易流-style TMS: waybills and vehicle positions with ETA (signed REST)",
    streams=("waybills", "vehicle_positions"),
)
