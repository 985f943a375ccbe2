"""A sandbox of an SAP ABAP system reached over RFC (clearly a sandbox, never SAP itself).

Implements pyrfc's ``Connection`` surface over in-memory tables (KNA1, KNVH, MARA, MAKT, MARM,
T023T, MARD, VBAK, VBAP, VBPA) with RFC_READ_TABLE, BAPI_SALESORDER_CREATEFROMDAT2,
BAPI_TRANSACTION_COMMIT/ROLLBACK and BAPI_MATERIAL_AVAILABILITY, pyrfc-shaped errors and
failures on demand. Tests and the demo hand ``sandbox.connect`` to the source and sink as
their connection factory::

    sandbox = SapSandbox(users={"HUB_RFC": password})
    sandbox.seed(dealers=..., products=..., unit_conversions=..., stock_levels=...)
    source = SapRfcSource(connection_factory=sandbox.connect)
    sink = SapRfcSink(config, connection_factory=sandbox.connect)
"""

from __future__ import annotations

from connectors.sap_rfc.sandbox.exceptions import (
    ABAPApplicationError,
    ABAPRuntimeError,
    CommunicationError,
    ExternalRuntimeError,
    LogonError,
    RFCError,
    RFCLibError,
)
from connectors.sap_rfc.sandbox.seed import SeedResult
from connectors.sap_rfc.sandbox.system import LOGON, Call, SandboxConnection, SapSandbox

__all__ = [
    "LOGON",
    "ABAPApplicationError",
    "ABAPRuntimeError",
    "Call",
    "CommunicationError",
    "ExternalRuntimeError",
    "LogonError",
    "RFCError",
    "RFCLibError",
    "SandboxConnection",
    "SapSandbox",
    "SeedResult",
]
