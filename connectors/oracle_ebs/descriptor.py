"""Registry entries of ``oracle-ebs`` (light: imports neither airbyte_cdk nor zeep)."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR", "SINK"]

CONNECTOR = Connector(
    name="oracle-ebs",
    kind="source",
    factory="connectors.oracle_ebs.source:OracleEbsSource",
    description="Oracle E-Business Suite over SOAP (Integrated SOA Gateway): customers and items",
    streams=("customers", "items"),
)

SINK = Connector(
    name="oracle-ebs-orders",
    kind="sink",
    factory="connectors.oracle_ebs.sink:EbsOrderSink.from_config",
    description="Oracle E-Business Suite: create sales orders exactly once (OE_ORDER_PUB.PROCESS_ORDER)",
)
