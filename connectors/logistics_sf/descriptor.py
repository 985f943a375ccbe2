"""Registry entry of the ``logistics-sf`` connector (light: imports no airbyte_cdk)."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR"]

CONNECTOR = Connector(
    name="logistics-sf",
    kind="source",
    factory="connectors.logistics_sf.source:SfSource",
    description="顺丰 丰桥 route query (EXP_RECE_SEARCH_ROUTES) with normalised opCodes",
    streams=("waybills", "tracking_events"),
)
