"""Registry entry of the ``logistics-kuaidi100`` connector (light: imports no airbyte_cdk)."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR"]

CONNECTOR = Connector(
    name="logistics-kuaidi100",
    kind="source",
    factory="connectors.logistics_kuaidi100.source:Kuaidi100Source",
    description="快递100 waybill tracking: real-time query, subscribe, verified push callbacks",
    streams=("waybills", "tracking_events"),
)
