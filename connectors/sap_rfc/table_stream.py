"""A stream over one SAP table read with RFC_READ_TABLE, typed and ALPHA-normalised.

Values arrive as text; each column is converted by its ABAP type from the field catalog:
packed numbers to ``Decimal`` (an overflowed ``*`` value fails loudly), dates to ``date``
(``00000000`` to None), key columns under ALPHA conversion (``0000000021`` → ``21``). Master
data streams are full refresh on purpose: KNA1 has no change date at all and MARA's
``LAEDA`` is a date without a time, so a second change on the same day would sit at an
already-read cursor value and be skipped (SAP's change pointers are the incremental route).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

import pandas as pd

from connectors.contract import HubStream, Page
from connectors.errors import FatalConnectorError
from connectors.sap_rfc.abap import abap_date, abap_decimal, alpha_output
from connectors.sap_rfc.client import SYSTEM, SapRfcClient
from connectors.sap_rfc.read_table import FieldInfo, Row, TableReader
from connectors.sap_rfc.rfc import RfcSession

__all__ = ["ALPHA_FIELDS", "SapTableStream", "json_schema_for", "typed_row"]

ALPHA_FIELDS = frozenset({"KUNNR", "HKUNNR", "MATNR", "VBELN", "LIFNR", "KONZS"})
"""Columns under ALPHA (or MATN1) conversion: numeric values lose their leading zeros."""

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": ["null", "string"]},
    "decimal": {"type": ["null", "string"], "description": "decimal number as text"},
    "date": {"type": ["null", "string"], "format": "date"},
}


def json_schema_for(columns: Mapping[str, str]) -> dict[str, Any]:
    """A JSON schema for columns of kind ``string``, ``decimal`` or ``date``."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": {name: dict(_JSON_TYPES[kind]) for name, kind in columns.items()},
    }


def typed_row(row: Row, catalog: Mapping[str, FieldInfo], *, table: str) -> dict[str, Any]:
    """``row``'s texts as Python values by ABAP type; a value that is not what its type says
    raises :class:`FatalConnectorError` naming the table and field."""
    typed: dict[str, Any] = {}
    for name, text in row.items():
        field = catalog.get(name)
        kind = field.type if field else "C"
        try:
            if kind == "P":
                typed[name] = abap_decimal(text)
            elif kind == "D":
                typed[name] = abap_date(text)
            elif name in ALPHA_FIELDS:
                typed[name] = alpha_output(text)
            else:
                typed[name] = text
        except ValueError as exc:
            raise FatalConnectorError(f"{SYSTEM}: {table}-{name}: {exc}", system=SYSTEM) from exc
    return typed


class SapTableStream(HubStream):
    """Full-refresh stream of one table; subclasses set the class attributes and may
    :meth:`enrich` each page (joins read once per stream read)."""

    table: ClassVar[str]
    fields: ClassVar[Sequence[str]]
    key_fields: ClassVar[Sequence[str]]
    columns: ClassVar[Mapping[str, str]]
    """Output columns (the table's fields plus any added by :meth:`enrich`) → kind."""

    def __init__(self, client: SapRfcClient) -> None:
        super().__init__()
        self.client = client

    def field_names(self) -> list[str]:
        """The fields to read (subclasses add configured ones)."""
        return list(self.fields)

    def where(self) -> str:
        """The WHERE clause of the read (none by default)."""
        return ""

    def prepare(self, session: RfcSession) -> None:
        """Read what :meth:`enrich` joins (called once per read, before the first page)."""

    def enrich(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add joined columns to one page of typed rows."""
        return rows

    def output_columns(self) -> list[str]:
        """Column order of the pages."""
        extra = [name for name in self.field_names() if name not in self.columns]
        return [*self.columns, *extra]

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """Pages of the table in key order, typed and enriched."""
        for rows, offset in self.typed_pages():
            yield Page(self.frame(rows), offset)

    def frame(self, rows: list[dict[str, Any]]) -> pd.DataFrame:
        """Typed rows as a page frame with :meth:`output_columns`."""
        return pd.DataFrame.from_records(rows, columns=self.output_columns())

    def typed_pages(self) -> Iterator[tuple[list[dict[str, Any]], str]]:
        """(typed and enriched rows, source offset) page by page, in one session."""
        with self.client.session() as session:
            reader = self.client.reader(session)
            fields = self.field_names()
            catalog = reader.describe(self.table, fields)
            by_name = {f.name: f for f in catalog}
            self.prepare(session)
            first = 1
            for rows in reader.pages(
                self.table, fields, key_fields=self.key_fields, where=self.where(), catalog=catalog
            ):
                typed = self.enrich([typed_row(row, by_name, table=self.table) for row in rows])
                yield typed, f"{self.table} rows {first}-{first + len(rows) - 1}"
                first += len(rows)

    def read_lookup(
        self,
        session: RfcSession,
        table: str,
        fields: Sequence[str],
        *,
        key_fields: Sequence[str],
        where: str = "",
    ) -> list[dict[str, Any]]:
        """Every row of a side table (for a join), typed like the stream's own rows."""
        reader: TableReader = self.client.reader(session)
        catalog = reader.describe(table, fields)
        by_name = {f.name: f for f in catalog}
        return [
            typed_row(row, by_name, table=table)
            for page in reader.pages(table, fields, key_fields=key_fields, where=where, catalog=catalog)
            for row in page
        ]
