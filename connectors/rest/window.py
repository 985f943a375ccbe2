"""The server-side lower bound of one incremental read, and how pages move it forward.

``cursor_param`` asks the server for rows with ``cursor >= bound`` (inclusive). On a sorted
stream read with offsets or page numbers, the bound follows the pages (``advance_since``):
after each page it moves to the last cursor value read, and the next offset counts only the
rows already read at that value. A row updated while paging then leaves the window instead
of shifting an unread row past the offset (the classic offset-pagination loss). Rows read
twice because of that (one row of overlap, a restart after the data moved) are dropped here.

A stream declared sorted is checked: rows out of cursor order fail the read loudly, because
committing its cursor batch by batch would otherwise skip the unread, older rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from connectors.errors import FatalConnectorError
from connectors.rest.spec import StreamDefinition
from connectors.state import typed_series

__all__ = ["SinceWindow"]

Record = dict[str, Any]


class SinceWindow:
    """The bound sent in ``cursor_param`` for one read (one partition) of one stream."""

    def __init__(self, definition: StreamDefinition, since: Any, *, system: str) -> None:
        self.definition = definition
        self.system = system
        self.bound: Any = None if since is None else self._typed([since]).iloc[0]
        # What the server really filters on (a since_format may drop precision); without a
        # cursor_param it filters nothing, and rows below ``since`` are for the tracker to drop.
        self._floor: Any = None
        if self.bound is not None and definition.cursor_param:
            self._floor = self._parse(self.format(self.bound))
        self._last: Any = self._floor
        self._seen: dict[str, Any] = {}

    @property
    def advancing(self) -> bool:
        """Whether pages move the bound (see :attr:`StreamDefinition.advance_since`)."""
        return self.definition.advance_since

    def params(self) -> dict[str, str]:
        """``{cursor_param: bound}``, or nothing before the first bound or without a parameter."""
        param = self.definition.cursor_param
        if param is None or self.bound is None:
            return {}
        return {param: self.format(self.bound)}

    def format(self, value: Any) -> str:
        """A typed cursor value as the query parameter text."""
        definition = self.definition
        if definition.cursor_type == "datetime":
            stamp = pd.Timestamp(value).tz_convert(ZoneInfo(definition.since_timezone))
            if definition.since_format:
                return stamp.strftime(definition.since_format)
            return stamp.isoformat()
        if definition.cursor_type == "number":
            number = float(value)
            return str(int(number)) if number.is_integer() else repr(number)
        return str(value)

    def admit(self, records: Sequence[Record]) -> list[Record]:
        """``records`` minus the rows this window already returned; checks the cursor order."""
        cursors = self._cursors(records)
        # One response is one batch: its order cannot move a committed cursor past unread rows.
        if cursors is not None and self.definition.sorted and self.definition.pagination.type != "none":
            self._check_order(cursors)
        if not self.advancing or cursors is None:
            return list(records)
        fresh: list[Record] = []
        for record, cursor in zip(records, cursors, strict=True):
            identity = self._identity(record)
            if identity not in self._seen:
                self._seen[identity] = cursor
                fresh.append(record)
        return fresh

    def advance(self, records: Sequence[Record]) -> int | None:
        """Move the bound to the last row's cursor value.

        Returns how many of ``records`` sit at or above the new bound (the rows the next
        request skips), or None when the bound did not move.
        """
        cursors = self._cursors(records)
        if not self.advancing or cursors is None or cursors.empty or pd.isna(cursors.iloc[-1]):
            return None
        bound = self._parse(self.format(cursors.iloc[-1]))
        if self.bound is not None and not bound > self.bound:
            return None
        self.bound = self._floor = self._last = bound
        self._seen = {identity: value for identity, value in self._seen.items() if value >= bound}
        return int((cursors >= bound).fillna(False).sum())

    def restart(self) -> None:
        """The next page starts the window again (its offset is 0)."""
        self._last = self._floor

    def key(self, record: Record) -> str:
        """The primary key of ``record`` as one string."""
        return json.dumps([str(record.get(name)) for name in self.definition.primary_key], ensure_ascii=False)

    def _identity(self, record: Record) -> str:
        return json.dumps(
            [*(str(record.get(name)) for name in self.definition.primary_key), str(self._raw_cursor(record))],
            ensure_ascii=False,
        )

    def _raw_cursor(self, record: Record) -> Any:
        field = self.definition.cursor_field
        return record.get(field) if field else None

    def _cursors(self, records: Sequence[Record]) -> pd.Series[Any] | None:
        if not self.definition.cursor_field:
            return None
        return self._typed([self._raw_cursor(record) for record in records])

    def _typed(self, values: Sequence[Any]) -> pd.Series[Any]:
        definition = self.definition
        try:
            return typed_series(pd.Series(list(values), dtype=object), definition.cursor_type)
        except (ValueError, TypeError) as exc:
            raise FatalConnectorError(
                f"{self.system}: {definition.name}: cursor {definition.cursor_field!r} holds a value that "
                f"is not a {definition.cursor_type}: {exc}",
                system=self.system,
            ) from exc

    def _parse(self, text: str) -> Any:
        definition = self.definition
        if definition.cursor_type == "datetime" and definition.since_format:
            parsed = datetime.strptime(text, definition.since_format)  # naive unless the pattern has %z
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=ZoneInfo(definition.since_timezone))
            return pd.Timestamp(parsed).tz_convert("UTC")
        return self._typed([text]).iloc[0]

    def _check_order(self, cursors: pd.Series[Any]) -> None:
        known = cursors.dropna()
        if known.empty:
            return
        previous = self._last
        for value in known:
            if previous is not None and value < previous:
                name, field = self.definition.name, self.definition.cursor_field
                raise FatalConnectorError(
                    f"{self.system}: {name}: rows are not in {field} order ({value} after {previous}) "
                    f"but the stream is configured sorted: set sorted: false for it",
                    system=self.system,
                )
            previous = value
        self._last = previous
