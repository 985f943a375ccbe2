"""Streams of the ``sample`` source."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

import pandas as pd

from connectors.contract import HubStream, Page
from connectors.sample.client import SampleApi
from connectors.state import Lookback

__all__ = ["ItemsStream"]


class ItemsStream(HubStream):
    """``items``: id, name, updated_at (cursor), qty."""

    name = "items"
    primary_key: ClassVar[str | list[str]] = "id"
    cursor_field: ClassVar[str | list[str]] = "updated_at"
    cursor_type = "datetime"
    json_schema: ClassVar[Mapping[str, Any]] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "updated_at": {
                "type": "string",
                "format": "date-time",
                "airbyte_type": "timestamp_with_timezone",
            },
            "qty": {"type": "integer"},
        },
    }

    def __init__(self, api: SampleApi, *, page_size: int, lookback: Lookback = None) -> None:
        super().__init__(lookback=lookback)
        self._api = api
        self._page_size = page_size

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """Pages of items with ``updated_at >= since``."""
        since_time: datetime | None = since
        for number, rows in self._api.pages(since=since_time, page_size=self._page_size):
            frame = pd.DataFrame.from_records(rows, columns=["id", "name", "updated_at", "qty"])
            frame["updated_at"] = pd.to_datetime(frame["updated_at"], utc=True)
            yield Page(frame, f"page={number}")
