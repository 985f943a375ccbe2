"""Streams of the ``rest`` source: one class per configured endpoint.

Stream identity (name, key, cursor, partitions) is class-level in the source contract, so
each :class:`~connectors.rest.spec.StreamDefinition` gets its own small, immutable subclass
of :class:`RestStream` (:func:`stream_class`) instead of instances that rewrite class state.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, ClassVar

import pandas as pd

from connectors.contract import HubStream, Page
from connectors.rest.client import SYSTEM, RestApi
from connectors.rest.pagination import PageReader
from connectors.rest.schemas import generic_schema
from connectors.rest.spec import StreamDefinition
from connectors.rest.window import Record, SinceWindow
from connectors.state import Lookback

__all__ = ["RestStream", "records_frame", "stream_class"]


class RestStream(HubStream):
    """Rows of one endpoint, page by page; incremental when the definition has a cursor."""

    definition: ClassVar[StreamDefinition]

    def __init__(self, api: RestApi, *, lookback: Lookback = None) -> None:
        super().__init__(lookback=lookback)
        self._api = api

    def partitions(self) -> list[str]:
        """The configured partition values (one cursor each)."""
        partition = self.definition.partition
        return list(partition.values) if partition is not None else []

    def fetch(self, *, since: Any, partition: str | None) -> Generator[Page, None, None]:
        """Pages with ``cursor >= since``: the bound goes to the server in ``cursor_param``."""
        window = SinceWindow(self.definition, since, system=SYSTEM)
        with self._api.client() as client:
            reader = PageReader(self._api, client, self.definition, window, partition)
            for page in reader.pages():
                yield Page(records_frame(page.records), page.offset)


def records_frame(records: list[Record]) -> pd.DataFrame:
    """JSON rows as a DataFrame that keeps every value as parsed (object columns, no float ints)."""
    if not records:
        return pd.DataFrame()
    return pd.DataFrame(records, dtype=object)


def stream_class(definition: StreamDefinition) -> type[RestStream]:
    """The :class:`RestStream` subclass for ``definition``."""
    primary_key: str | list[str] = (
        definition.primary_key[0] if len(definition.primary_key) == 1 else list(definition.primary_key)
    )
    schema: Mapping[str, Any] = definition.json_schema or generic_schema(
        definition.primary_key, definition.cursor_field, definition.cursor_type
    )
    attributes: dict[str, Any] = {
        "__doc__": f"The {definition.name!r} stream: GET {definition.path}.",
        "__module__": __name__,
        "name": definition.name,
        "definition": definition,
        "primary_key": primary_key,
        "cursor_field": definition.cursor_field or [],
        "cursor_type": definition.cursor_type,
        "partition_field": definition.partition.param if definition.partition else None,
        "sorted_by_cursor": definition.sorted,
        "json_schema": schema,
    }
    return type(f"RestStream_{definition.name}", (RestStream,), attributes)
