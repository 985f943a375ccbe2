"""Registry entries of ``sap-odata`` (the source) and ``sap-odata-orders`` (its sink). Light."""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR", "SINK"]

CONNECTOR = Connector(
    name="sap-odata",
    kind="source",
    factory="connectors.sap_odata.source:SapODataSource",
    description="SAP S/4HANA API_SALES_ORDER_SRV (OData V2): sales orders, incremental",
    streams=("sales_orders",),
)

SINK = Connector(
    name="sap-odata-orders",
    kind="sink",
    factory="connectors.sap_odata.sink:SapODataSink",
    description="Sales orders into S/4HANA by deep insert (to_Item), CSRF-protected, exactly once",
)
