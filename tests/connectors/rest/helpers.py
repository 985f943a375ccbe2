"""Shared by the ``rest`` connector tests: the canary token, configs, sources and reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from connectors.contract import Batch, HubStream
from connectors.rest.sandbox import Sandbox, demo_rows, sandbox_transport
from connectors.rest.source import RestSource
from connectors.rest.streams import RestStream

#: A canary: it must never show up in an error, a log line or an Airbyte message.
TOKEN = "canary-tok-7f3e9b21c4d8a6e5"
BASE_URL = "http://erp.sandbox.test"

#: How each sandbox version paginates, as stream settings of the connector.
STYLES: dict[str, dict[str, Any]] = {
    "offset": {"path": "/v1/{r}", "records_path": "data.items", "pagination": {"type": "offset"}},
    "page": {"path": "/v2/{r}", "records_path": "data.records", "pagination": {"type": "page"}},
    "cursor": {"path": "/v3/{r}", "records_path": "data.items", "pagination": {"type": "cursor"}},
    "link": {"path": "/v4/{r}", "records_path": "items", "pagination": {"type": "link"}},
    "link_body": {
        "path": "/v4/{r}",
        "records_path": "items",
        "pagination": {"type": "link", "next_url_path": "links.next"},
    },
}
KEYS = {"products": ["materialCode"], "dealers": ["custCode"], "stock": ["whCode", "materialCode", "batchNo"]}


def new_sandbox(**options: Any) -> Sandbox:
    """The demo dataset behind the canary token."""
    return Sandbox(**demo_rows(), token=TOKEN, **options)


def stream(resource: str, style: str, *, page_size: int = 7, **overrides: Any) -> dict[str, Any]:
    """A stream definition reading ``resource`` of the sandbox in pagination ``style``."""
    settings = STYLES[style]
    pagination = {**settings["pagination"], "page_size": page_size}
    return {
        "name": resource,
        "path": settings["path"].format(r=resource),
        "primary_key": KEYS[resource],
        "cursor_field": "lastModified",
        "cursor_param": "updated_since",
        "records_path": settings["records_path"],
        **overrides,
        "pagination": {**pagination, **overrides.get("pagination", {})},
    }


def config(*streams: Mapping[str, Any], token: str = TOKEN, **options: Any) -> dict[str, Any]:
    """A config for the sandbox (the default streams when none are given)."""
    built: dict[str, Any] = {"base_url": BASE_URL, "auth": {"type": "bearer", "token": token}, **options}
    if streams:
        built["streams"] = [dict(s) for s in streams]
    return built


def source(sandbox: Sandbox, sleep: Callable[[float], None] | None = None) -> RestSource:
    """A source whose HTTP goes to ``sandbox`` in process; ``sleep`` records retry waits."""
    if sleep is None:
        return RestSource(transport=sandbox_transport(sandbox))
    return RestSource(transport=sandbox_transport(sandbox), sleep=sleep)


def streams(src: RestSource, cfg: Mapping[str, Any]) -> dict[str, RestStream]:
    """The configured streams by name."""
    built = src.hub_streams(src.parse_config(cfg))
    return {s.name: s for s in built if isinstance(s, RestStream)}


def only(src: RestSource, cfg: Mapping[str, Any]) -> RestStream:
    """The single configured stream."""
    [single] = streams(src, cfg).values()
    return single


def keys_of(batches: Iterable[Batch], stream: HubStream) -> list[tuple[str, ...]]:
    """Primary keys of every row in ``batches``, in order."""
    columns = stream._primary_key_columns()
    return [
        tuple(str(value) for value in row)
        for batch in batches
        for row in batch.frame[columns].itertuples(index=False, name=None)
    ]


def sandbox_keys(sandbox: Sandbox, resource: str) -> list[tuple[str, ...]]:
    """Every key the sandbox holds for ``resource``."""
    return [tuple(str(row[name]) for name in KEYS[resource]) for row in sandbox.rows(resource)]


def data_requests(sandbox: Sandbox) -> list[dict[str, str]]:
    """Query parameters of every answered data request, in order."""
    return [dict(entry.params) for entry in sandbox.requests if entry.status is not None]
