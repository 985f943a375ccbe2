"""The pages of one stream (one partition), by pagination style.

=========  ================================================================================
offset     ``?offset=&limit=``; stops at the first page shorter than ``page_size``. With
           ``advance_since`` the window bound follows the pages and each offset overlaps the
           last row read by one: if that row is not where it was, the data moved and the
           window is read again from its start (rows already read are dropped).
page       ``?page=&size=`` from ``start_page``; with ``advance_since`` a moved bound starts
           again at ``start_page`` (the few rows at the bound are read twice, then dropped).
cursor     ``?cursor=`` from ``next_cursor_path`` in the body until it is empty.
link       the ``Link: <...>; rel="next"`` header (or ``next_url_path``) until there is none;
           a next link to another host is refused: it would receive our credentials.
none       one request.
=========  ================================================================================

Every style refuses to loop: a repeated cursor or URL, or a full page identical to the one
before (an API that ignores the offset parameter), fails the read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import httpx

from connectors.errors import FatalConnectorError, RetriableConnectorError
from connectors.http import HubHttpClient
from connectors.redaction import redact, sanitize_url
from connectors.rest.client import SYSTEM, RestApi, dig
from connectors.rest.spec import (
    CursorPagination,
    LinkPagination,
    OffsetPagination,
    PagePagination,
    StreamDefinition,
)
from connectors.rest.window import Record, SinceWindow

__all__ = ["MAX_RESTARTS", "PageReader", "RawPage"]

logger = logging.getLogger(__name__)
_MISSING = object()

MAX_RESTARTS = 20
"""How often one read may start its window again because rows moved under it."""


@dataclass(frozen=True)
class RawPage:
    """The rows of one response (minus rows already read) and where they came from."""

    records: list[Record]
    offset: str


class PageReader:
    """Reads one stream's pages for one partition through an open client."""

    def __init__(
        self,
        api: RestApi,
        client: HubHttpClient,
        definition: StreamDefinition,
        window: SinceWindow,
        partition: str | None,
    ) -> None:
        self.api = api
        self.client = client
        self.definition = definition
        self.window = window
        self.fixed: dict[str, Any] = dict(definition.params)
        if definition.partition is not None and partition is not None:
            self.fixed[definition.partition.param] = partition
        self._previous_keys: list[str] | None = None

    def pages(self) -> Iterator[RawPage]:
        """Every page of the stream, in order."""
        style = self.definition.pagination
        if isinstance(style, OffsetPagination):
            yield from self._offset_pages(style)
        elif isinstance(style, PagePagination):
            yield from self._numbered_pages(style)
        elif isinstance(style, CursorPagination):
            yield from self._cursor_pages(style)
        elif isinstance(style, LinkPagination):
            yield from self._link_pages(style)
        else:
            records, _body, _response, label = self._get(self.definition.path, {})
            yield RawPage(self.window.admit(records), label)

    def _offset_pages(self, style: OffsetPagination) -> Iterator[RawPage]:
        window, size = self.window, style.page_size
        offset, expected, restarts = 0, None, 0
        while True:
            extra = {style.limit_param: size, style.offset_param: offset}
            records, _body, _response, label = self._get(self.definition.path, extra)
            if expected is not None and (not records or window.key(records[0]) != expected):
                restarts = self._restart(restarts, label)
                offset, expected = 0, None
                continue
            self._refuse_repeat(records, size)
            yield RawPage(window.admit(records), label)
            if len(records) < size:
                return
            at_bound = window.advance(records)
            known = offset + len(records) if at_bound is None else at_bound
            if window.advancing and size > 1:
                offset, expected = known - 1, window.key(records[-1])
            else:
                offset, expected = known, None

    def _numbered_pages(self, style: PagePagination) -> Iterator[RawPage]:
        window, size, page = self.window, style.page_size, style.start_page
        while True:
            extra = {style.page_param: page, style.size_param: size}
            records, _body, _response, label = self._get(self.definition.path, extra)
            self._refuse_repeat(records, size)
            yield RawPage(window.admit(records), label)
            if len(records) < size:
                return
            if window.advance(records) is None:
                page += 1
            else:
                page = style.start_page
                self._previous_keys = None  # the same rows may well come again, on purpose

    def _cursor_pages(self, style: CursorPagination) -> Iterator[RawPage]:
        cursor: str | None = None
        used: set[str] = set()
        while True:
            extra: dict[str, Any] = {}
            if style.limit_param:
                extra[style.limit_param] = style.page_size
            if cursor is not None:
                extra[style.cursor_param] = cursor
            records, body, _response, label = self._get(self.definition.path, extra)
            yield RawPage(self.window.admit(records), label)
            following = dig(body, style.next_cursor_path)
            if following is None or following == "" or following is False:
                return
            cursor = str(following)
            if cursor in used:
                raise FatalConnectorError(
                    f"{SYSTEM}: {self.definition.name}: the API returned the same next cursor twice",
                    system=SYSTEM,
                )
            used.add(cursor)

    def _link_pages(self, style: LinkPagination) -> Iterator[RawPage]:
        url = self.definition.path
        extra: dict[str, Any] | None = {style.limit_param: style.page_size} if style.limit_param else {}
        used: set[str] = set()
        while True:
            records, body, response, label = self._get(url, extra)
            yield RawPage(self.window.admit(records), label)
            if style.next_url_path:
                following = dig(body, style.next_url_path)
            else:
                following = response.links.get("next", {}).get("url")
            if not following:
                return
            target = response.request.url.join(str(following))
            self._same_origin(target)
            url, extra = str(target), None  # the next link carries every parameter
            if url in used:
                raise FatalConnectorError(
                    f"{SYSTEM}: {self.definition.name}: the API returned the same next link twice",
                    system=SYSTEM,
                )
            used.add(url)

    def _get(self, url: str, extra: dict[str, Any] | None) -> tuple[list[Record], Any, httpx.Response, str]:
        params = None if extra is None else {**self.fixed, **self.window.params(), **extra}
        body, response = self.api.get_json(self.client, url, params)
        return self._records(body, response), body, response, self._label(response.request.url)

    def _records(self, body: Any, response: httpx.Response) -> list[Record]:
        definition = self.definition
        found = dig(body, definition.records_path, default=_MISSING)
        if found is _MISSING:
            raise FatalConnectorError(
                f"{SYSTEM}: {definition.name}: GET {self._label(response.request.url)} has no "
                f"{definition.records_path!r} in its body",
                system=SYSTEM,
            )
        if found is None:  # `"items": null` on an empty page
            return []
        if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
            where = repr(definition.records_path) if definition.records_path else "the body"
            raise FatalConnectorError(
                f"{SYSTEM}: {definition.name}: {where} of GET {self._label(response.request.url)} "
                "is not a list of objects",
                system=SYSTEM,
            )
        return found

    def _label(self, url: httpx.URL) -> str:
        """The request as an operator finds it again: path and query, secrets masked."""
        return unquote(redact(sanitize_url(url.raw_path.decode("ascii")), self.api.secrets))

    def _refuse_repeat(self, records: Sequence[Record], size: int) -> None:
        keys = [self.window.key(record) for record in records]
        if len(records) >= size and keys == self._previous_keys:
            raise FatalConnectorError(
                f"{SYSTEM}: {self.definition.name}: two pages in a row held the same rows; does "
                f"{self.definition.path} ignore its paging parameters?",
                system=SYSTEM,
            )
        self._previous_keys = keys

    def _restart(self, restarts: int, label: str) -> int:
        if restarts >= MAX_RESTARTS:
            raise RetriableConnectorError(
                f"{SYSTEM}: {self.definition.name}: rows kept moving while paging "
                f"({MAX_RESTARTS} restarts); try again later",
                system=SYSTEM,
            )
        logger.info(
            "%s: %s: rows moved under %s; reading the window again", SYSTEM, self.definition.name, label
        )
        self.window.restart()
        self._previous_keys = None
        return restarts + 1

    def _same_origin(self, target: httpx.URL) -> None:
        base = httpx.URL(self.api.config.base_url)
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise FatalConnectorError(
                f"{SYSTEM}: {self.definition.name}: refusing a next link to another origin "
                f"({target.scheme}://{target.host}): it would receive our credentials",
                system=SYSTEM,
            )
