"""The WMS's file layouts, and how one shipment file becomes three streams.

``inv_*.csv`` (inventory snapshot, file-drop's stock layout)::

    warehouse_code,sku,lot,on_hand,in_transit,expiry_date,updated_at

``shp_*.csv`` (shipment confirmation, one row per scanned item, shipment and line fields
repeated on each row, as flat WMS exports are)::

    shipment_no,order_no,dealer_code,warehouse_code,carrier_code,waybill_no,shipped_at,
    line_no,sku,lot,qty,sscc,item_code

``qty`` is the line's shipped quantity in base units (the same on every row of the line),
``sscc`` the carton's 18-digit SSCC (``(00)`` prefix allowed), ``item_code`` the item's
trace code as scanned: a GS1 Digital Link URI, ``(01)…(21)…`` or an SGTIN URN; empty for
lines shipped without item codes.

``rcv_*.csv`` (goods receipt)::

    receipt_no,asn_no,warehouse_code,line_no,sku,lot,qty,expiry_date,received_at

Every row also carries file-drop's ``_file``, ``_line`` and ``_malformed``. A malformed line
stays a row in every stream so each mapping rejects it into quarantine (read = loaded + rejected).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import pandas as pd

from canonical_model.errors import InvalidIdentifier
from canonical_model.identifiers import (
    normalize_gtin,
    normalize_sscc,
    parse_sgtin,
    parse_sscc,
    sgtin_urn,
    sscc_urn,
)
from connectors.file_drop.readers import LINE, MALFORMED
from connectors.file_drop.streams import STOCK_COLUMNS

__all__ = [
    "FILE",
    "INVENTORY_COLUMNS",
    "LINEAGE",
    "RECEIPT_COLUMNS",
    "SHIPMENT_COLUMNS",
    "SHIPMENT_FILE_COLUMNS",
    "SHIPMENT_LINE_COLUMNS",
    "TRACE_CODE_COLUMNS",
    "item_epc",
    "shipment_lines",
    "shipments",
    "sscc_epc",
    "trace_codes",
]

FILE = "_file"
LINEAGE = (FILE, LINE, MALFORMED)
INVENTORY_COLUMNS: tuple[str, ...] = STOCK_COLUMNS
SHIPMENT_FILE_COLUMNS = (
    "shipment_no",
    "order_no",
    "dealer_code",
    "warehouse_code",
    "carrier_code",
    "waybill_no",
    "shipped_at",
    "line_no",
    "sku",
    "lot",
    "qty",
    "sscc",
    "item_code",
)
RECEIPT_COLUMNS = (
    "receipt_no",
    "asn_no",
    "warehouse_code",
    "line_no",
    "sku",
    "lot",
    "qty",
    "expiry_date",
    "received_at",
)
SHIPMENT_COLUMNS = SHIPMENT_FILE_COLUMNS[:7]
SHIPMENT_LINE_COLUMNS = ("shipment_no", "line_no", "sku", "lot", "qty")
TRACE_CODE_COLUMNS = (
    "code",
    "kind",
    "gtin",
    "serial",
    "sku",
    "lot",
    "parent_code",
    "status",
    "owner_dealer_code",
    "order_no",
    "shipment_no",
    "scanned",
    "code_error",
)
_ELEMENT_STRING = re.compile(r"\(01\)(\d{14})\(21\)([^()]{1,20})(?:\(\d{2,4}\).*)?")


def item_epc(scanned: str, company_prefix_length: int) -> tuple[str, str, str]:
    """``(SGTIN URN, GTIN-14, serial)`` of a scanned item code; InvalidIdentifier if it is none."""
    text = scanned.strip()
    match = _ELEMENT_STRING.fullmatch(text)
    gtin, serial = (normalize_gtin(match.group(1)), match.group(2)) if match else parse_sgtin(text)
    return sgtin_urn(gtin, serial, company_prefix_length), gtin, serial


def sscc_epc(scanned: str, company_prefix_length: int) -> str:
    """The SSCC URN of a carton label (18 digits, ``(00)…``, a Digital Link or a URN)."""
    text = scanned.strip()
    if text.startswith("(00)"):
        text = text[4:]
    elif len(text) == 20 and text.startswith("00") and text.isdigit():
        text = text[2:]
    code = parse_sscc(text) if text.lower().startswith(("urn:", "http:", "https:")) else normalize_sscc(text)
    return sscc_urn(code, company_prefix_length)


def _distinct(frame: pd.DataFrame, columns: Sequence[str], key: Sequence[str]) -> pd.DataFrame:
    """``columns`` + lineage of ``frame``, one row per ``key`` among well-formed rows (the last)."""
    out = frame.loc[:, [*columns, *LINEAGE]]
    good = out[MALFORMED] == ""
    kept = out[good].drop_duplicates(subset=list(key), keep="last")
    return pd.concat([kept, out[~good]]).sort_values(LINE, kind="stable").reset_index(drop=True)


def shipments(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per shipment (its header fields)."""
    return _distinct(frame, SHIPMENT_COLUMNS, ["shipment_no"])


def shipment_lines(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per shipment line."""
    return _distinct(frame, SHIPMENT_LINE_COLUMNS, ["shipment_no", "line_no"])


def trace_codes(frame: pd.DataFrame, company_prefix_length: int) -> pd.DataFrame:
    """Item codes bound to their carton, order and dealer; and each carton (SSCC) once."""
    items_epc = _cached(lambda text: item_epc(text, company_prefix_length))
    cases_epc = _cached(lambda text: sscc_epc(text, company_prefix_length))
    good = frame[frame[MALFORMED] == ""]
    records: list[dict[str, Any]] = []
    names = [*SHIPMENT_FILE_COLUMNS, FILE, LINE]
    for values in zip(*(good[name].tolist() for name in names), strict=True):
        fields = dict(zip(names, values, strict=True))
        lineage = {FILE: fields[FILE], LINE: fields[LINE], MALFORMED: ""}
        common = {
            "status": "shipped",
            "owner_dealer_code": fields["dealer_code"],
            "order_no": fields["order_no"],
            "shipment_no": fields["shipment_no"],
        }
        parent, parent_error = ("", "") if not fields["sscc"].strip() else cases_epc(fields["sscc"])
        if fields["sscc"].strip():
            records.append(
                {
                    "code": parent or fields["sscc"].strip(),
                    "kind": "case",
                    "gtin": "",
                    "serial": "",
                    "sku": "",
                    "lot": "",
                    "parent_code": "",
                    "scanned": fields["sscc"],
                    "code_error": parent_error,
                    **common,
                    **lineage,
                }
            )
        if fields["item_code"].strip():
            value, error = items_epc(fields["item_code"])
            code, gtin, serial = value or (fields["item_code"].strip(), "", "")
            if not error and parent_error:
                error = f"its carton's SSCC is invalid ({parent_error})"
            records.append(
                {
                    "code": code,
                    "kind": "item",
                    "gtin": gtin,
                    "serial": serial,
                    "sku": fields["sku"],
                    "lot": fields["lot"],
                    "parent_code": parent,
                    "scanned": fields["item_code"],
                    "code_error": error,
                    **common,
                    **lineage,
                }
            )
    out = pd.DataFrame.from_records(records, columns=[*TRACE_CODE_COLUMNS, *LINEAGE])
    out = out.drop_duplicates(subset=["code"], keep="last")
    bad = frame.loc[frame[MALFORMED] != "", list(LINEAGE)]
    return pd.concat([out, bad]).fillna("").sort_values(LINE, kind="stable").reset_index(drop=True)


def _cached(convert: Callable[[str], Any]) -> Callable[[str], tuple[Any, str]]:
    """``convert`` returning ``(value, "")``, or ``(None, reason)`` when the code is invalid; memoised."""

    @lru_cache(maxsize=65_536)
    def safe(text: str) -> tuple[Any, str]:
        try:
            return convert(text), ""
        except InvalidIdentifier as exc:
            return None, str(exc)

    return safe
