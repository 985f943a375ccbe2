"""Config of the ``rest`` source: where the API is, how to authenticate, which streams to read.

A minimal config is a base URL and a bearer token: the default streams (``products``,
``dealers``, ``stock``) match the demo sandbox (:mod:`connectors.rest.sandbox`). Any other
JSON-over-HTTP API is described by listing its streams: a path, a primary key, an optional
updated-at cursor with the query parameter that filters on it (inclusively, ``>=``), where the
rows sit in the body (``records_path``), a pagination style and optional partitions::

    base_url: https://erp.example.com/api
    auth: {type: bearer, token: {$env: ERP_TOKEN}}
    requests_per_second: 5
    streams:
      - name: stock
        path: /v3/stock
        primary_key: [whCode, materialCode, batchNo]
        cursor_field: lastModified
        cursor_param: updated_since
        records_path: data.items
        pagination: {type: cursor, cursor_param: cursor, next_cursor_path: data.nextCursor}
        partition: {param: whCode, values: [WH-SH, WH-GZ]}
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from connectors.rest.schemas import DEALERS_SCHEMA, PRODUCTS_SCHEMA, STOCK_SCHEMA

__all__ = [
    "ApiKeyAuth",
    "Auth",
    "BasicAuth",
    "BearerAuth",
    "CursorPagination",
    "LinkPagination",
    "NoAuth",
    "NoPagination",
    "OffsetPagination",
    "PagePagination",
    "Pagination",
    "PartitionSpec",
    "ResponseCodeCheck",
    "RestConfig",
    "StreamDefinition",
    "default_streams",
]

_PAGE_SIZE = Field(default=100, ge=1, le=100_000, description="Rows asked for per request.")
_ADVANCE = Field(
    default=True,
    description=(
        "On an incremental stream sorted by its cursor, restart the server-side filter at the last "
        "cursor value read after each page (offsets then count only rows at that value), so rows "
        "updated while paging cannot shift unread rows past the offset."
    ),
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoAuth(_Model):
    """No credentials (an open API, or one behind a network boundary)."""

    type: Literal["none"]


class BearerAuth(_Model):
    """``Authorization: Bearer <token>``."""

    type: Literal["bearer"]
    token: SecretStr = Field(description="The bearer token.")


class ApiKeyAuth(_Model):
    """An API key sent in a request header."""

    type: Literal["api_key"]
    header: str = Field(default="X-API-Key", min_length=1, description="Header that carries the key.")
    value: SecretStr = Field(description="The API key.")


class BasicAuth(_Model):
    """HTTP basic authentication."""

    type: Literal["basic"]
    username: str = Field(min_length=1)
    password: SecretStr


Auth = Annotated[NoAuth | BearerAuth | ApiKeyAuth | BasicAuth, Field(discriminator="type")]


class OffsetPagination(_Model):
    """``?offset=200&limit=100``; the last page is the first one shorter than ``page_size``."""

    type: Literal["offset"]
    limit_param: str = "limit"
    offset_param: str = "offset"
    page_size: int = _PAGE_SIZE
    advance_since: bool = _ADVANCE


class PagePagination(_Model):
    """``?page=3&size=100`` counted from ``start_page``; the last page is the first short one."""

    type: Literal["page"]
    page_param: str = "page"
    size_param: str = "size"
    page_size: int = _PAGE_SIZE
    start_page: int = Field(default=1, ge=0)
    advance_since: bool = _ADVANCE


class CursorPagination(_Model):
    """An opaque next-page cursor read from the body and sent back in ``cursor_param``."""

    type: Literal["cursor"]
    cursor_param: str = "cursor"
    next_cursor_path: str = Field(default="data.nextCursor", description="Dotted path in the body.")
    limit_param: str | None = "limit"
    page_size: int = _PAGE_SIZE


class LinkPagination(_Model):
    """The next page's URL: the ``Link: <...>; rel="next"`` header, or ``next_url_path`` in the body."""

    type: Literal["link"]
    next_url_path: str | None = Field(
        default=None, description="Dotted path in the body; unset: the Link header."
    )
    limit_param: str | None = "limit"
    page_size: int = _PAGE_SIZE


class NoPagination(_Model):
    """One request returns every row."""

    type: Literal["none"]


Pagination = Annotated[
    OffsetPagination | PagePagination | CursorPagination | LinkPagination | NoPagination,
    Field(discriminator="type"),
]


class PartitionSpec(_Model):
    """Read the stream once per value of a query parameter, with a cursor per value."""

    param: str = Field(min_length=1, description="Query parameter, e.g. whCode.")
    values: list[str] = Field(min_length=1, description="One partition (and one cursor) per value.")


class ResponseCodeCheck(_Model):
    """An application status inside HTTP 200 bodies (``{"code": 0, "msg": "..."}``)."""

    path: str = Field(default="code", description="Dotted path of the status code in the body.")
    success: list[str] = Field(default_factory=lambda: ["0", "200"], description="Codes that mean OK.")
    message_path: str | None = Field(default="msg", description="Dotted path of the error message.")


class StreamDefinition(_Model):
    """One endpoint read as one stream."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    path: str = Field(min_length=1, description="Relative to base_url, e.g. /v1/products.")
    primary_key: list[str] = Field(min_length=1)
    cursor_field: str | None = Field(default=None, description="Top-level updated-at field of a row.")
    cursor_param: str | None = Field(default=None, description="Query parameter filtering cursor >= value.")
    cursor_type: Literal["datetime", "number", "string"] = "datetime"
    since_format: str | None = Field(
        default=None, description="strftime pattern for cursor_param values; unset: ISO-8601."
    )
    since_timezone: str = Field(default="UTC", description="Zone datetimes are sent in, e.g. Asia/Shanghai.")
    sorted: bool = Field(default=True, description="Whether the server returns rows in cursor order.")
    records_path: str = Field(default="", description="Dotted path of the row list; empty: the body.")
    params: dict[str, str] = Field(default_factory=dict, description="Constant query parameters.")
    pagination: Pagination = Field(default_factory=lambda: NoPagination(type="none"))
    partition: PartitionSpec | None = None
    json_schema: dict[str, Any] | None = Field(default=None, description="Row schema for discover.")

    @field_validator("primary_key", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("since_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _cursor_settings(self) -> StreamDefinition:
        if self.cursor_param and not self.cursor_field:
            raise ValueError("cursor_param needs a cursor_field")
        if self.since_format and self.cursor_type != "datetime":
            raise ValueError("since_format applies to datetime cursors only")
        return self

    @property
    def advance_since(self) -> bool:
        """Whether pages restart the server-side filter at the last cursor value read."""
        wanted = getattr(self.pagination, "advance_since", False)
        return bool(wanted and self.cursor_field and self.cursor_param and self.sorted)


class RestConfig(_Model):
    """The ``rest`` source: a JSON-over-HTTP API and the streams to read from it."""

    model_config = ConfigDict(title="Generic REST source", extra="forbid")

    base_url: str = Field(pattern=r"^https?://[^\s/]+", description="e.g. https://erp.example.com/api")
    auth: Auth = Field(default_factory=lambda: NoAuth(type="none"))
    streams: list[StreamDefinition] = Field(
        default_factory=lambda: default_streams(),
        min_length=1,
        description="Streams to read; unset: products, dealers and stock of the demo sandbox.",
    )
    headers: dict[str, str] = Field(default_factory=dict, description="Extra headers (no secrets here).")
    response_code: ResponseCodeCheck | None = None
    requests_per_second: float | None = Field(default=None, gt=0, description="Client-side rate limit.")
    timeout_seconds: float = Field(default=60.0, gt=0, description="Read timeout per request.")
    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    max_retries: int = Field(default=4, ge=0, le=10, description="Retries of 429, 5xx and timeouts.")

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _unique_streams(self) -> RestConfig:
        names = [stream.name for stream in self.streams]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"stream names must be unique: {', '.join(duplicates)}")
        return self


def default_streams() -> list[StreamDefinition]:
    """``products`` (offsets), ``dealers`` (page numbers), ``stock`` (cursor), as the sandbox serves them."""
    return [
        StreamDefinition(
            name="products",
            path="/v1/products",
            primary_key=["materialCode"],
            cursor_field="lastModified",
            cursor_param="updated_since",
            records_path="data.items",
            pagination=OffsetPagination(type="offset"),
            json_schema=PRODUCTS_SCHEMA,
        ),
        StreamDefinition(
            name="dealers",
            path="/v2/dealers",
            primary_key=["custCode"],
            cursor_field="lastModified",
            cursor_param="updated_since",
            records_path="data.records",
            pagination=PagePagination(type="page"),
            json_schema=DEALERS_SCHEMA,
        ),
        StreamDefinition(
            name="stock",
            path="/v3/stock",
            primary_key=["whCode", "materialCode", "batchNo"],
            cursor_field="lastModified",
            cursor_param="updated_since",
            records_path="data.items",
            pagination=CursorPagination(type="cursor"),
            json_schema=STOCK_SCHEMA,
        ),
    ]
