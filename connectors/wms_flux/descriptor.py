"""Registry entries of the ``wms-flux`` connector (light: imports no airbyte_cdk)."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR", "ORDER_SINK"]

CONNECTOR = Connector(
    name="wms-flux",
    kind="source",
    factory="connectors.wms_flux.source:FluxSource",
    description="富勒 FLUX WMS: inventory (queryINVData / inventoryReport) and shipment confirmations",
    streams=("inventory", "shipments", "shipment_lines"),
)

ORDER_SINK = Connector(
    name="wms-flux-orders",
    kind="sink",
    factory="connectors.wms_flux.sink:FluxOrderSink",
    description="富勒 FLUX WMS: outbound orders (putSOData), exactly once by our order reference",
)
