"""Registry entries of ``oracle-fusion`` (light: imports neither airbyte_cdk nor httpx clients)."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR", "SINK"]

CONNECTOR = Connector(
    name="oracle-fusion",
    kind="source",
    factory="connectors.oracle_fusion.source:OracleFusionSource",
    description="Oracle Fusion Cloud SCM REST: sales orders and lines (salesOrdersForOrderHub)",
    streams=("sales_orders", "sales_order_lines"),
)

SINK = Connector(
    name="oracle-fusion-orders",
    kind="sink",
    factory="connectors.oracle_fusion.sink:FusionOrderSink.from_config",
    description="Oracle Fusion Cloud SCM REST: create sales orders exactly once (salesOrdersForOrderHub)",
)
