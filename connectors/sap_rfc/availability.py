"""The ``availability`` stream: ATP per material and plant from BAPI_MATERIAL_AVAILABILITY."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar

import pandas as pd

from connectors.contract import HubStream, Page
from connectors.errors import RemoteRejected
from connectors.sap_rfc.abap import alpha_output
from connectors.sap_rfc.client import SYSTEM, SapRfcClient
from connectors.sap_rfc.rfc import RfcSession
from connectors.sap_rfc.streams import plants_clause
from connectors.sap_rfc.table_stream import json_schema_for

__all__ = ["AvailabilityStream"]


class AvailabilityStream(HubStream):
    """``availability``: ATP per material and plant (BAPI_MATERIAL_AVAILABILITY) in the base
    unit, for every material stocked in a configured plant. ``MESSAGE`` holds SAP's reason
    when it could not check (``AV_QTY_PLT`` is then empty)."""

    name = "availability"
    primary_key: ClassVar[str | list[str]] = ["MATNR", "WERKS"]
    columns: ClassVar[Mapping[str, str]] = {
        "MATNR": "string",
        "WERKS": "string",
        "MEINS": "string",
        "AV_QTY_PLT": "decimal",
        "MESSAGE": "string",
    }
    json_schema: ClassVar[Mapping[str, Any]] = json_schema_for(columns)
    batch_size: ClassVar[int] = 500

    def __init__(self, client: SapRfcClient) -> None:
        super().__init__()
        self.client = client

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """One BAPI call per (material, plant), in pages of ``batch_size``."""
        with self.client.session() as session:
            reader = self.client.reader(session)
            # Raw rows: the BAPI needs the internal (ALPHA-padded) material numbers.
            stocked = reader.pages(
                "MARD",
                ["MATNR", "WERKS", "LGORT"],
                key_fields=["MATNR", "WERKS", "LGORT"],
                where=plants_clause(self.client.config.plants),
            )
            pairs = sorted({(row["MATNR"], row["WERKS"]) for page in stocked for row in page})
            units = {
                row["MATNR"]: row["MEINS"]
                for page in reader.pages("MARA", ["MATNR", "MEINS"], key_fields=["MATNR"])
                for row in page
            }
            for start in range(0, len(pairs), self.batch_size):
                chunk = pairs[start : start + self.batch_size]
                rows = [_available(session, matnr, plant, units.get(matnr, "")) for matnr, plant in chunk]
                frame = pd.DataFrame.from_records(rows, columns=list(self.columns))
                yield Page(frame, f"MARD pairs {start + 1}-{start + len(rows)}")


def _available(session: RfcSession, matnr: str, plant: str, unit: str) -> dict[str, Any]:
    material = {"MATERIAL": matnr} if len(matnr) <= 18 else {"MATERIAL_LONG": matnr}
    result = session.call("BAPI_MATERIAL_AVAILABILITY", PLANT=plant, UNIT=unit, **material)
    message = result.get("RETURN") or {}
    kind = str(message.get("TYPE", "")).strip()
    text = str(message.get("MESSAGE", "")).strip()
    if kind == "A":
        raise RemoteRejected(f"{SYSTEM}: ATP check aborted: {text}", system=SYSTEM, remote_messages=(text,))
    failed = kind == "E"
    return {
        "MATNR": alpha_output(matnr),
        "WERKS": plant,
        "MEINS": unit,
        "AV_QTY_PLT": None if failed else Decimal(str(result.get("AV_QTY_PLT") or 0)),
        "MESSAGE": text if failed else "",
    }
