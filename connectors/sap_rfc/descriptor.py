"""Registry entries of ``sap-rfc`` (the source) and ``sap-rfc-orders`` (its sales-order sink).

Light: imports no airbyte_cdk and no pyrfc.
"""

from __future__ import annotations

from connectors.descriptor import Connector

__all__ = ["CONNECTOR", "SINK"]

CONNECTOR = Connector(
    name="sap-rfc",
    kind="source",
    factory="connectors.sap_rfc.source:SapRfcSource",
    description="SAP ERP over RFC (pyrfc): customers, materials, units, plant stock, ATP",
    streams=("customers", "material_groups", "materials", "material_units", "plant_stock", "availability"),
)

SINK = Connector(
    name="sap-rfc-orders",
    kind="sink",
    factory="connectors.sap_rfc.sink:SapRfcSink",
    description="Sales orders into SAP via BAPI_SALESORDER_CREATEFROMDAT2, exactly once by PURCH_NO_C",
)
