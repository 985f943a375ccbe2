"""SAP's answer to a BAPI call: its ``RETURN`` messages, and the error that carries them.

::

    RemoteRejected                     (connectors.errors)
    └── BapiRejected                   a BAPI returned E/A messages; the call was rolled back
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.errors import RemoteRejected

__all__ = ["ERROR_TYPES", "BapiMessage", "BapiRejected", "parse_return"]

ERROR_TYPES = frozenset({"E", "A", "X"})
"""Message types that mean the BAPI failed (error, abort, exit)."""


@dataclass(frozen=True)
class BapiMessage:
    """One row of a BAPIRET2 / BAPIRETURN table."""

    type: str
    id: str
    number: str
    message: str
    parameter: str = ""
    row: int = 0
    field: str = ""

    @property
    def is_error(self) -> bool:
        """An E (error), A (abort) or X (exit) message."""
        return self.type in ERROR_TYPES

    def __str__(self) -> str:
        code = f"{self.id} {self.number}".strip()
        return f"{self.type} {code}: {self.message}" if code else f"{self.type}: {self.message}"


def parse_return(rows: Iterable[Mapping[str, Any]] | Mapping[str, Any] | None) -> list[BapiMessage]:
    """``RETURN`` (a table, or one structure) as messages; blank rows are dropped."""
    if rows is None:
        return []
    if isinstance(rows, Mapping):
        rows = [rows]
    messages = []
    for row in rows:
        kind = str(row.get("TYPE") or "").strip()
        text = str(row.get("MESSAGE") or "").strip()
        if not kind and not text:
            continue
        code = str(row.get("CODE") or "").strip()  # BAPIRETURN has CODE instead of ID/NUMBER
        messages.append(
            BapiMessage(
                type=kind,
                id=str(row.get("ID") or code[:-3] or "").strip(),
                number=str(row.get("NUMBER") or code[-3:] or "").strip(),
                message=text,
                parameter=str(row.get("PARAMETER") or "").strip(),
                row=int(row.get("ROW") or 0),
                field=str(row.get("FIELD") or "").strip(),
            )
        )
    return messages


class BapiRejected(RemoteRejected):
    """SAP refused the call with error messages (and the LUW was rolled back)."""

    def __init__(self, message: str, *, system: str, function: str, messages: Iterable[BapiMessage]) -> None:
        self.messages: tuple[BapiMessage, ...] = tuple(messages)
        self.function = function
        super().__init__(message, system=system, remote_messages=tuple(str(m) for m in self.messages))

    @property
    def errors(self) -> tuple[BapiMessage, ...]:
        """The E/A/X messages only."""
        return tuple(m for m in self.messages if m.is_error)
