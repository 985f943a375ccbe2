"""The sandbox's state: master-data rows in memory, a clock, a fault plan and a request log.

Thread-safe (the app runs on a server or portal thread while a test changes the data), and
deterministic: the clock starts after the newest row and ticks one second per update.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

__all__ = [
    "BEIJING",
    "CURSOR",
    "DEMO_TOKEN",
    "RESOURCES",
    "Fault",
    "LoggedRequest",
    "Order",
    "Sandbox",
    "parse_time",
]

DEMO_TOKEN = "sandbox-demo-token"  # noqa: S105 - the sandbox's published demo token, not a credential
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
CURSOR = "lastModified"
#: Resource → its key fields.
RESOURCES: Mapping[str, tuple[str, ...]] = {
    "products": ("materialCode",),
    "dealers": ("custCode",),
    "stock": ("whCode", "materialCode", "batchNo"),
}
Order = Literal["modified", "key"]
Row = dict[str, Any]
Key = tuple[str, ...]
FaultKind = Literal["status", "delay", "reset"]


@functools.lru_cache(maxsize=65536)  # every request compares every row's time: parse each text once
def parse_time(text: str) -> datetime:
    """An ISO-8601 time (``T`` or space); without an offset it is Beijing time."""
    parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=BEIJING)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


@dataclass
class Fault:
    """What the next matching request(s) get instead of data."""

    kind: FaultKind
    remaining: int
    status: int = 503
    retry_after: str | None = None
    seconds: float = 0.0
    path: str | None = None

    def matches(self, path: str) -> bool:
        return self.remaining > 0 and (self.path is None or path.startswith(self.path))


@dataclass(frozen=True)
class LoggedRequest:
    """One request the sandbox received, and what it answered (``fault`` when injected)."""

    method: str
    path: str
    params: Mapping[str, str]
    status: int | None = None
    fault: str | None = None


class Sandbox:
    """A stateful demo ERP / master-data API: rows, credentials, ordering and faults.

    ``order="modified"`` returns rows by ``(lastModified, key)`` like a well-behaved API;
    ``order="key"`` returns them by key, so cursor values arrive out of order across pages.
    ``token`` (bearer), ``api_key`` (in ``api_key_header``) and ``basic`` are the accepted
    credentials; with none of them set the API is open.
    """

    def __init__(
        self,
        *,
        products: Iterable[Row] = (),
        dealers: Iterable[Row] = (),
        stock: Iterable[Row] = (),
        token: str | None = DEMO_TOKEN,
        api_key: str | None = None,
        api_key_header: str = "X-API-Key",
        basic: tuple[str, str] | None = None,
        order: Order = "modified",
        max_page_size: int = 500,
        default_page_size: int = 20,
    ) -> None:
        self.token = token
        self.api_key = api_key
        self.api_key_header = api_key_header
        self.basic = basic
        self.order: Order = order
        self.max_page_size = max_page_size
        self.default_page_size = default_page_size
        self.requests: list[LoggedRequest] = []
        self._lock = threading.RLock()
        self._rows: dict[str, dict[Key, Row]] = {name: {} for name in RESOURCES}
        self._faults: list[Fault] = []
        self._actions: list[tuple[int, Callable[[Sandbox], object]]] = []
        self._served = 0
        self._clock: datetime | None = None
        for resource, rows in (("products", products), ("dealers", dealers), ("stock", stock)):
            for row in rows:
                self.put(resource, row)

    # ----------------------------------------------------------------------------- data

    def key_of(self, resource: str, row: Mapping[str, Any]) -> Key:
        """The key of ``row`` in ``resource``."""
        return tuple(str(row.get(field) or "") for field in self._key_fields(resource))

    def put(self, resource: str, row: Mapping[str, Any]) -> Row:
        """Insert or replace a row as given (``lastModified`` is stamped when missing)."""
        with self._lock:
            stored = dict(row)
            if not stored.get(CURSOR):
                stored[CURSOR] = _stamp(self.tick())
            parse_time(str(stored[CURSOR]))  # refuse unreadable times up front
            self._rows[self._resource(resource)][self.key_of(resource, stored)] = stored
            return dict(stored)

    def update(self, resource: str, key: str | Key, **changes: Any) -> Row:
        """Change a row the way the ERP would: ``lastModified`` moves to the sandbox clock."""
        with self._lock:
            table = self._rows[self._resource(resource)]
            wanted = (key,) if isinstance(key, str) else tuple(key)
            if wanted not in table:
                raise KeyError(f"{resource} has no row {wanted}")
            row = {**table[wanted], **changes, CURSOR: _stamp(self.tick())}
            table[wanted] = row
            return dict(row)

    def rows(self, resource: str) -> list[Row]:
        """A copy of every row of ``resource``, by key."""
        with self._lock:
            table = self._rows[self._resource(resource)]
            return [dict(table[key]) for key in sorted(table)]

    def tick(self) -> datetime:
        """The sandbox clock's next second (starts one minute after the newest row)."""
        with self._lock:
            if self._clock is None:
                stamps = [parse_time(str(r[CURSOR])) for t in self._rows.values() for r in t.values()]
                self._clock = max(stamps, default=datetime(2026, 11, 1, 8, tzinfo=BEIJING)) + timedelta(
                    minutes=1
                )
            self._clock += timedelta(seconds=1)
            return self._clock

    def select(self, resource: str, *, since: datetime | None, filters: Mapping[str, str]) -> list[Row]:
        """Rows with ``lastModified >= since`` matching ``filters`` exactly, in the sandbox order."""
        with self._lock:
            rows = list(self._rows[self._resource(resource)].values())
        chosen = [
            dict(row)
            for row in rows
            if (since is None or parse_time(str(row[CURSOR])) >= since)
            and all(str(row.get(name, "")) == value for name, value in filters.items())
        ]
        chosen.sort(key=lambda row: self.sort_key(resource, row))
        return chosen

    def sort_key(self, resource: str, row: Mapping[str, Any]) -> tuple[str, ...]:
        """Where ``row`` sits in the order pages are cut from (comparable as strings)."""
        key = self.key_of(resource, row)
        if self.order == "key":
            return key
        utc = parse_time(str(row[CURSOR])).astimezone(UTC).isoformat(timespec="microseconds")
        return (utc, *key)

    # ----------------------------------------------------------------------------- faults

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        retry_after: float | str | None = None,
        path: str | None = None,
    ) -> None:
        """The next ``count`` requests (under ``path``) get HTTP ``status`` (+ ``Retry-After``)."""
        after = None if retry_after is None else str(retry_after)
        self._add(Fault("status", count, status=status, retry_after=after, path=path))

    def slow_next(self, count: int = 1, *, seconds: float, path: str | None = None) -> None:
        """The next ``count`` requests are answered after ``seconds`` (a client may time out first)."""
        self._add(Fault("delay", count, seconds=seconds, path=path))

    def hang_next(self, count: int = 1, *, path: str | None = None) -> None:
        """The next ``count`` requests get no answer for two minutes: the client times out."""
        self.slow_next(count, seconds=120.0, path=path)

    def reset_next(self, count: int = 1, *, path: str | None = None) -> None:
        """The next ``count`` requests lose their connection half-way through the response."""
        self._add(Fault("reset", count, path=path))

    def after_requests(self, count: int, action: Callable[[Sandbox], object]) -> None:
        """Run ``action`` once ``count`` more data pages have been served (between two pages)."""
        with self._lock:
            self._actions.append((self._served + count, action))

    def clear_faults(self) -> None:
        """Forget pending faults and actions."""
        with self._lock:
            self._faults.clear()
            self._actions.clear()

    def take_fault(self, path: str) -> Fault | None:
        """The fault for a request to ``path``, if one is pending (used by the app)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    fault.remaining -= 1
                    return fault
            return None

    def served(self) -> None:
        """Count one data page served and run the actions due (used by the app)."""
        with self._lock:
            self._served += 1
            due = [action for at, action in self._actions if at <= self._served]
            self._actions = [(at, action) for at, action in self._actions if at > self._served]
        for action in due:
            action(self)

    def log(self, entry: LoggedRequest) -> None:
        """Record a request (used by the app)."""
        with self._lock:
            self.requests.append(entry)

    def _add(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.append(fault)

    def _resource(self, resource: str) -> str:
        if resource not in RESOURCES:
            raise KeyError(f"unknown resource {resource!r}; the sandbox has {', '.join(RESOURCES)}")
        return resource

    def _key_fields(self, resource: str) -> tuple[str, ...]:
        return RESOURCES[self._resource(resource)]
