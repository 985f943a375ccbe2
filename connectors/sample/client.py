"""The sample's "remote": an in-memory API that pages rows and checks the API key."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.errors import AuthenticationError
from connectors.sample.spec import API_KEY_PREFIX

__all__ = ["BASE_TIME", "SampleApi"]

BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)
_STEP = timedelta(minutes=1)


class SampleApi:
    """Rows ``1..count``, ascending by ``(updated_at, id)``; rows 2k-1 and 2k share ``updated_at``."""

    def __init__(self, *, count: int, api_key: str) -> None:
        self.count = count
        self._api_key = api_key

    def authenticate(self) -> None:
        """Raise :class:`AuthenticationError` unless the key is valid (no key in the message)."""
        if not self._api_key.startswith(API_KEY_PREFIX):
            raise AuthenticationError("sample: API key rejected (HTTP 401)", system="sample", status_code=401)

    def pages(self, *, since: datetime | None, page_size: int) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """``(page number, rows)`` with ``updated_at >= since``."""
        self.authenticate()
        start = 1 if since is None else max(1, 2 * math.ceil((since - BASE_TIME) / _STEP) - 1)
        for number, first in enumerate(range(start, self.count + 1, page_size), start=1):
            last = min(first + page_size - 1, self.count)
            yield number, [self.row(i) for i in range(first, last + 1)]

    @staticmethod
    def row(i: int) -> dict[str, Any]:
        """Row ``i`` (deterministic)."""
        return {
            "id": i,
            "name": f"item-{i:05d}",
            "updated_at": BASE_TIME + _STEP * ((i + 1) // 2),
            "qty": i % 7,
        }
