"""``RFC_READ_TABLE`` done properly.

The function module returns each row as one CHAR512 text (``DATA-WA``) and has three traps
(PyRFC #42 and #321, RSAP #9):

- a field list wider than 512 characters raises ``DATA_BUFFER_EXCEEDED``: the fields are
  split into parts that each fit (every part repeats the key fields), read part by part,
  and joined again on the key;
- values are not quoted, so a value containing the delimiter shifts every column after it:
  each row is checked against the field count, and a page with such a row is read again
  *without* a delimiter and cut at the fixed offsets the FIELDS table reports;
- a large read dumps (``TSV_TNEW_PAGE_ALLOC_FAILED``): pages of ``ROWCOUNT`` rows, moved on
  with ``ROWSKIPS``.

The first call asks for the field catalog only (``NO_DATA = 'X'``, which also validates the
names), so widths are known before any row is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from connectors.errors import FatalConnectorError, RetriableConnectorError
from connectors.sap_rfc.abap import options_lines

__all__ = ["FieldInfo", "Row", "TableReader", "plan_parts"]

Row = dict[str, str]


class _Caller(Protocol):
    def call(self, function: str, /, **params: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class FieldInfo:
    """One column as RFC_READ_TABLE describes it (offset and length in characters)."""

    name: str
    offset: int
    length: int
    type: str
    text: str = ""

    @classmethod
    def from_row(cls, row: Any) -> FieldInfo:
        """From a returned ``FIELDS`` row (NUMC offsets and lengths arrive as text)."""
        return cls(
            name=str(row["FIELDNAME"]).strip(),
            offset=int(str(row.get("OFFSET") or 0)),
            length=int(str(row.get("LENGTH") or 0)),
            type=str(row.get("TYPE") or "C").strip() or "C",
            text=str(row.get("FIELDTEXT") or "").strip(),
        )


def plan_parts(
    fields: Sequence[FieldInfo], key_fields: Sequence[str], *, max_width: int, delimiter: str
) -> list[list[FieldInfo]]:
    """Split ``fields`` into parts no wider than ``max_width``, each starting with the keys.

    Width counts one delimiter between neighbouring fields, as RFC_READ_TABLE does. Field
    order inside a part follows ``fields``.
    """
    by_name = {f.name: f for f in fields}
    missing = [name for name in key_fields if name not in by_name]
    if missing:
        raise ValueError(f"key fields {missing} are not among the fields read")
    keys = [by_name[name] for name in key_fields]
    sep = len(delimiter)

    def width(part: list[FieldInfo]) -> int:
        return sum(f.length for f in part) + sep * (len(part) - 1)

    if width(keys) > max_width:
        raise ValueError(f"the key fields alone are wider than {max_width} characters")
    parts: list[list[FieldInfo]] = []
    current = list(keys)
    for field in fields:
        if field.name in key_fields:
            continue
        if width([*current, field]) > max_width:
            if len(current) == len(keys):
                raise ValueError(f"field {field.name} does not fit in a {max_width}-character row")
            parts.append(current)
            current = list(keys)
        current.append(field)
    parts.append(current)
    return parts


class TableReader:
    """Reads one table page by page over an open RFC session (see module doc)."""

    def __init__(
        self,
        session: _Caller,
        *,
        system: str,
        page_size: int = 5000,
        max_width: int = 512,
        delimiter: str = "|",
    ) -> None:
        if len(delimiter) != 1:
            raise ValueError("the delimiter is one character")
        self._session = session
        self._system = system
        self.page_size = page_size
        self.max_width = max_width
        self.delimiter = delimiter

    def describe(self, table: str, fields: Sequence[str]) -> list[FieldInfo]:
        """The catalog entries of ``fields`` (``NO_DATA``: no rows, no width limit)."""
        result = self._session.call(
            "RFC_READ_TABLE",
            QUERY_TABLE=table,
            NO_DATA="X",
            DELIMITER=self.delimiter,
            FIELDS=[{"FIELDNAME": name} for name in fields],
        )
        return [FieldInfo.from_row(row) for row in result.get("FIELDS", [])]

    def pages(
        self,
        table: str,
        fields: Sequence[str],
        *,
        key_fields: Sequence[str],
        where: str = "",
        catalog: Sequence[FieldInfo] | None = None,
    ) -> Iterator[list[Row]]:
        """Rows (field name → text, right-padding removed) page by page, in table order.

        ``catalog`` is :meth:`describe`'s answer for ``fields`` when the caller already has it.
        """
        if catalog is None:
            catalog = self.describe(table, fields)
        try:
            parts = plan_parts(catalog, key_fields, max_width=self.max_width, delimiter=self.delimiter)
        except ValueError as exc:
            raise FatalConnectorError(
                f"{self._system}: cannot read {table}: {exc}", system=self._system
            ) from exc
        options = options_lines(where) if where else []
        skip = 0
        while True:
            rows = self._read_page(table, parts, key_fields, options, skip)
            if rows:
                yield rows
            if len(rows) < self.page_size:
                return
            skip += len(rows)

    def _read_page(
        self,
        table: str,
        parts: list[list[FieldInfo]],
        key_fields: Sequence[str],
        options: list[dict[str, str]],
        skip: int,
    ) -> list[Row]:
        first = self._read_part(table, parts[0], options, skip)
        if len(parts) == 1:
            return first
        joined = {_key(row, key_fields): row for row in first}
        if len(joined) != len(first):
            raise FatalConnectorError(
                f"{self._system}: {table}: key fields {', '.join(key_fields)} are not unique, so the "
                "parts of a wide row cannot be joined",
                system=self._system,
            )
        for part in parts[1:]:
            rows = self._read_part(table, part, options, skip)
            keys = {_key(row, key_fields) for row in rows}
            if keys != joined.keys():
                # Without ORDER BY the table may have moved under us between two calls.
                raise RetriableConnectorError(
                    f"{self._system}: {table} rows {skip + 1}-{skip + len(first)} changed between the "
                    f"parts of one page (the table is being written to); read again",
                    system=self._system,
                )
            for row in rows:
                joined[_key(row, key_fields)].update(row)
        return list(joined.values())

    def _read_part(
        self, table: str, part: list[FieldInfo], options: list[dict[str, str]], skip: int
    ) -> list[Row]:
        request = {
            "QUERY_TABLE": table,
            "FIELDS": [{"FIELDNAME": f.name} for f in part],
            "OPTIONS": options,
            "ROWSKIPS": skip,
            "ROWCOUNT": self.page_size,
        }
        result = self._session.call("RFC_READ_TABLE", DELIMITER=self.delimiter, **request)
        described = [FieldInfo.from_row(row) for row in result.get("FIELDS", [])]
        lines = [str(row.get("WA", "")) for row in result.get("DATA", [])]
        rows = [_split(line, described, self.delimiter) for line in lines]
        if all(row is not None for row in rows):
            return [row for row in rows if row is not None]
        # A value holds the delimiter: read the same rows as fixed-width text instead.
        result = self._session.call("RFC_READ_TABLE", DELIMITER="", **request)
        described = [FieldInfo.from_row(row) for row in result.get("FIELDS", [])]
        return [_cut(str(row.get("WA", "")), described) for row in result.get("DATA", [])]


def _split(line: str, fields: list[FieldInfo], delimiter: str) -> Row | None:
    values = line.split(delimiter)
    if len(values) != len(fields):
        return None
    return {f.name: _clean(value, f) for f, value in zip(fields, values, strict=True)}


def _cut(line: str, fields: list[FieldInfo]) -> Row:
    return {f.name: _clean(line[f.offset : f.offset + f.length], f) for f in fields}


def _clean(value: str, field: FieldInfo) -> str:
    # Character fields are left-aligned (leading blanks are data); numbers are right-aligned.
    return value.rstrip() if field.type in ("C", "g", "") else value.strip()


def _key(row: Row, key_fields: Sequence[str]) -> tuple[str, ...]:
    return tuple(row.get(name, "") for name in key_fields)
