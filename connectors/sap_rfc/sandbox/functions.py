"""The function modules the sandbox offers: name → (accepted parameters, implementation).

A call with a parameter the function does not have fails like pyrfc does
(``RFC_INVALID_PARAMETER``), which catches a misspelt field in a payload early.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from connectors.sap_rfc.sandbox import sales
from connectors.sap_rfc.sandbox.atp import material_availability
from connectors.sap_rfc.sandbox.ddic import TABLES
from connectors.sap_rfc.sandbox.read_table import read_table

if TYPE_CHECKING:
    from connectors.sap_rfc.sandbox.system import SandboxConnection

__all__ = ["FUNCTIONS", "Handler"]

Handler = Callable[["SandboxConnection", Mapping[str, Any]], dict[str, Any]]


def _read_table(session: SandboxConnection, params: Mapping[str, Any]) -> dict[str, Any]:
    name = str(params.get("QUERY_TABLE", "")).strip().upper()
    return read_table(params, session.system.committed(name) if name in TABLES else [])


def _ping(session: SandboxConnection, params: Mapping[str, Any]) -> dict[str, Any]:
    return {}


_READ_TABLE = "QUERY_TABLE DELIMITER NO_DATA ROWSKIPS ROWCOUNT OPTIONS FIELDS DATA"
_CREATE = (
    "ORDER_HEADER_IN ORDER_HEADER_INX SALESDOCUMENTIN SENDER BINARY_RELATIONSHIPTYPE INT_NUMBER_ASSIGNMENT "
    "BEHAVE_WHEN_ERROR LOGIC_SWITCH TESTRUN CONVERT ORDER_ITEMS_IN ORDER_ITEMS_INX ORDER_PARTNERS "
    "ORDER_SCHEDULES_IN ORDER_SCHEDULES_INX ORDER_CONDITIONS_IN ORDER_CONDITIONS_INX ORDER_TEXT ORDER_KEYS "
    "EXTENSIONIN PARTNERADDRESSES RETURN"
)
_AVAILABILITY = (
    "PLANT MATERIAL MATERIAL_EVG MATERIAL_LONG UNIT CHECK_RULE STGE_LOC BATCH CUSTOMER DOC_NUMBER ITM_NUMBER "
    "WBS_ELEM STOCK_IND DEC_FOR_ROUNDING DEC_FOR_ROUNDING_X READ_ATP_LOCK READ_ATP_LOCK_X WMDVSX WMDVEX"
)

FUNCTIONS: dict[str, tuple[frozenset[str], Handler]] = {
    "RFC_PING": (frozenset(), _ping),
    "RFC_READ_TABLE": (frozenset(_READ_TABLE.split()), _read_table),
    "BAPI_SALESORDER_CREATEFROMDAT2": (frozenset(_CREATE.split()), sales.create_sales_order),
    "BAPI_TRANSACTION_COMMIT": (frozenset({"WAIT"}), sales.commit),
    "BAPI_TRANSACTION_ROLLBACK": (frozenset(), sales.rollback),
    "BAPI_MATERIAL_AVAILABILITY": (frozenset(_AVAILABILITY.split()), material_availability),
}
