"""The sandbox's RFC_READ_TABLE, following the ABAP of the standard function module.

Fields are laid out one after the other, with the delimiter's length between them (a blank
delimiter has length 0, as ``STRLEN(' ')`` is 0 in ABAP); when the running width passes
512 and rows were asked for, ``DATA_BUFFER_EXCEEDED`` is raised. ``NO_DATA = 'X'`` returns
only the field catalog. Values are moved into the row as ABAP moves them (character fields
left-aligned and cut, packed numbers right-aligned with a trailing sign, ``*`` on overflow);
rows are returned in primary-key order, ``ROWSKIPS`` skipped, at most ``ROWCOUNT`` (0 = all);
pyrfc's ``rstrip`` removes the trailing blanks of each row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal
from typing import Any

from connectors.sap_rfc.abap import format_packed
from connectors.sap_rfc.sandbox.ddic import TABLES, FieldDef, TableDef
from connectors.sap_rfc.sandbox.exceptions import ABAPApplicationError
from connectors.sap_rfc.sandbox.where import parse_where

__all__ = ["DATA_WIDTH", "internal_text", "read_table", "sort_key"]

DATA_WIDTH = 512  # DATA is a table of TAB512


def internal_text(field: FieldDef, value: Any) -> str:
    """``value`` as the characters the database field holds (no padding for C)."""
    if value is None or value == "":
        if field.type == "N":
            return "0" * field.length
        if field.type == "D":
            return "00000000"
        if field.type == "T":
            return "000000"
        return ""
    if field.type == "D":
        return value.strftime("%Y%m%d") if isinstance(value, date) else str(value)
    if field.type == "T":
        return value.strftime("%H%M%S") if isinstance(value, time) else str(value)
    if field.type == "N":
        return str(value).zfill(field.length)[-field.length :]
    return str(value)


def _moved(field: FieldDef, value: Any) -> str:
    """``value`` as ABAP's MOVE writes it into a character field of the field's length."""
    if field.type == "P":
        return format_packed(Decimal(value or 0), length=field.length, decimals=field.decimals)
    return internal_text(field, value)[: field.length].ljust(field.length)


def sort_key(table: TableDef, row: Mapping[str, Any]) -> tuple[str, ...]:
    """The order a database returns rows in without ORDER BY (here: the primary key)."""
    return tuple(
        internal_text(table.field(name) or FieldDef(name, "C", 1), row.get(name)) for name in table.key
    )


def _error(key: str, message: str | None = None) -> ABAPApplicationError:
    return ABAPApplicationError(message or key, code=5, key=key)


def read_table(params: Mapping[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """RFC_READ_TABLE over ``rows`` (the committed rows of the table named in the call)."""
    name = str(params.get("QUERY_TABLE", "")).strip().upper()
    table = TABLES.get(name)
    if table is None:
        raise _error("TABLE_NOT_AVAILABLE")
    delimiter = str(params.get("DELIMITER", "") or "").rstrip()
    no_data = str(params.get("NO_DATA", "") or "").strip()
    requested = [str(f.get("FIELDNAME", "")).strip().upper() for f in params.get("FIELDS", []) or []]
    fields: list[FieldDef] = []
    for field_name in requested or [f.name for f in table.fields]:
        field = table.field(field_name)
        if field is None:
            raise _error("FIELD_NOT_VALID")
        fields.append(field)
    catalog: list[dict[str, str]] = []
    cursor = 0
    for position, field in enumerate(fields):
        if position:
            cursor += len(delimiter)
        catalog.append(
            {
                "FIELDNAME": field.name,
                "OFFSET": f"{cursor:06d}",
                "LENGTH": f"{field.length:06d}",
                "TYPE": field.type,
                "FIELDTEXT": field.text,
            }
        )
        cursor += field.length
        if cursor > DATA_WIDTH and not no_data:
            raise _error("DATA_BUFFER_EXCEEDED")
    options = list(params.get("OPTIONS", []) or [])
    if no_data:
        return {"FIELDS": catalog, "DATA": [], "OPTIONS": options}
    where = " ".join(str(line.get("TEXT", ""))[:72] for line in options)
    try:
        predicate = parse_where(where, table)
    except ValueError as exc:
        raise _error("OPTION_NOT_VALID", f"OPTION_NOT_VALID: {exc}") from exc
    texts = [
        {
            f.name: (Decimal(row.get(f.name) or 0) if f.type == "P" else internal_text(f, row.get(f.name)))
            for f in table.fields
        }
        for row in rows
    ]
    selected = [row for row, text in zip(rows, texts, strict=True) if predicate(text)]
    selected.sort(key=lambda row: sort_key(table, row))
    skip = int(params.get("ROWSKIPS", 0) or 0)
    count = int(params.get("ROWCOUNT", 0) or 0)
    page = selected[skip : skip + count] if count else selected[skip:]
    data = [{"WA": delimiter.join(_moved(f, row.get(f.name)) for f in fields).rstrip()} for row in page]
    return {"FIELDS": catalog, "DATA": data, "OPTIONS": options}
