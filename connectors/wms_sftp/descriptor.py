"""Registry entries of ``wms-sftp`` (light: imports neither paramiko nor airbyte_cdk)."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR", "ORDERS_SINK"]

CONNECTOR = Connector(
    name="wms-sftp",
    kind="source",
    factory="connectors.wms_sftp.source:WmsSftpSource",
    description=(
        "WMS SFTP drop box (or local folder): inventory snapshots, shipments with trace codes, receipts"
    ),
    streams=("inventory", "shipments", "shipment_lines", "trace_codes", "receipts"),
)

ORDERS_SINK = Connector(
    name="wms-sftp-orders",
    kind="sink",
    factory="connectors.wms_sftp.sink:create_sink",
    description="Outbound orders to the WMS as ord_<key>.csv in its SFTP drop box (*.part, then rename)",
)
