"""The sandbox's HTTP API (Starlette): one resource set, four pagination styles.

==========================  =================================================================
``GET /v1/{resource}``      ``?offset=&limit=`` → ``{"code": 0, "data": {"total", "items"}}``
``GET /v2/{resource}``      ``?page=&size=`` (from 1) → ``{"code": 200, "data": {"records",
                            "total", "size", "current", "pages"}}`` (MyBatis-Plus style)
``GET /v3/{resource}``      ``?cursor=&limit=`` → ``{"code": 0, "data": {"items", "nextCursor",
                            "hasMore"}}``
``GET /v4/{resource}``      ``?after=&limit=`` → ``{"items", "links": {"next"}}`` and a
                            ``Link: <...>; rel="next"`` header
``GET /health``, ``GET /``  liveness; what this sandbox is
==========================  =================================================================

Resources: ``products``, ``dealers``, ``stock``. Every listing takes ``updated_since``
(inclusive, ISO-8601; without an offset Beijing time) and exact filters (``whCode``,
``materialCode``, ``seriesCode``, ``custLevel``, ``regionCode``). Cursors and ``after`` are
keyset positions, so they stay right while rows change. Errors answer
``{"code": <status>, "msg": ...}``. Requires ``Authorization: Bearer <token>`` (or the
configured API key / basic credentials).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from connectors.rest.sandbox.store import RESOURCES, Fault, LoggedRequest, Sandbox, parse_time

__all__ = ["NOTICE", "create_app"]

NOTICE = "DMS Hub demo ERP sandbox: a fake master-data API for tests and demos, not any vendor's API."
FILTERS: Mapping[str, tuple[str, ...]] = {
    "products": ("seriesCode", "materialCode"),
    "dealers": ("custLevel", "regionCode", "parentCustCode"),
    "stock": ("whCode", "materialCode"),
}
_MESSAGES = {
    401: "token无效或已过期 (invalid or expired token)",
    429: "请求过于频繁，请稍后再试 (too many requests)",
    500: "系统内部错误 (internal error)",
    502: "网关错误 (bad gateway)",
    503: "服务暂不可用，请稍后重试 (service unavailable)",
    504: "网关超时 (gateway timeout)",
}
_HEADERS = {"X-Sandbox": "dmshub-demo-erp"}


class BadRequest(Exception):
    """A request parameter the sandbox refuses (answered with HTTP 400)."""


def create_app(sandbox: Sandbox) -> Starlette:
    """The ASGI app serving ``sandbox``."""
    app = Starlette(
        routes=[
            Route("/", _index),
            Route("/health", _health),
            Route("/v{version:int}/{resource}", _listing),
        ]
    )
    app.state.sandbox = sandbox
    return app


async def _index(request: Request) -> Response:
    return JSONResponse(
        {
            "name": "dmshub-demo-erp",
            "sandbox": True,
            "notice": NOTICE,
            "resources": sorted(RESOURCES),
            "pagination": {"v1": "offset/limit", "v2": "page/size", "v3": "cursor", "v4": "Link header"},
        },
        headers=_HEADERS,
    )


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "sandbox": True}, headers=_HEADERS)


async def _listing(request: Request) -> Response:
    sandbox = cast(Sandbox, request.app.state.sandbox)
    path, params = request.url.path, dict(request.query_params)
    fault = sandbox.take_fault(path)
    if fault is not None and fault.kind != "delay":
        status = fault.status if fault.kind == "status" else None
        sandbox.log(LoggedRequest("GET", path, params, status, fault.kind))
        return _fault_response(fault)
    if fault is not None:  # logged up front: a client that times out never sees the answer
        sandbox.log(LoggedRequest("GET", path, params, None, "delay"))
        await anyio.sleep(fault.seconds)
    status, response = _answer(sandbox, request, params)
    sandbox.log(LoggedRequest("GET", path, params, status))
    return response


def _answer(sandbox: Sandbox, request: Request, params: dict[str, str]) -> tuple[int, Response]:
    if not _authorized(sandbox, request):
        return 401, _error(401)
    version, resource = request.path_params["version"], request.path_params["resource"]
    if version not in (1, 2, 3, 4) or resource not in RESOURCES:
        return 404, _error(404, f"no such resource: {request.url.path}")
    try:
        since = _since(params.get("updated_since"))
        filters = {name: params[name] for name in FILTERS[resource] if params.get(name)}
        rows = sandbox.select(resource, since=since, filters=filters)
        body, headers = _PAGES[version](sandbox, resource, rows, params, request)
    except BadRequest as exc:
        return 400, _error(400, str(exc))
    sandbox.served()
    return 200, JSONResponse(body, headers={**_HEADERS, **headers})


def _offset_page(
    sandbox: Sandbox, resource: str, rows: list[dict[str, Any]], params: dict[str, str], request: Request
) -> tuple[dict[str, Any], dict[str, str]]:
    limit, offset = _limit(sandbox, params, "limit"), _int(params, "offset", 0, minimum=0)
    data = {"total": len(rows), "offset": offset, "limit": limit, "items": rows[offset : offset + limit]}
    return {"code": 0, "msg": "success", "data": data}, {}


def _numbered_page(
    sandbox: Sandbox, resource: str, rows: list[dict[str, Any]], params: dict[str, str], request: Request
) -> tuple[dict[str, Any], dict[str, str]]:
    size, page = _limit(sandbox, params, "size"), _int(params, "page", 1, minimum=1)
    start = (page - 1) * size
    data = {
        "records": rows[start : start + size],
        "total": len(rows),
        "size": size,
        "current": page,
        "pages": math.ceil(len(rows) / size),
    }
    return {"code": 200, "msg": "操作成功", "data": data}, {}


def _cursor_page(
    sandbox: Sandbox, resource: str, rows: list[dict[str, Any]], params: dict[str, str], request: Request
) -> tuple[dict[str, Any], dict[str, str]]:
    limit = _limit(sandbox, params, "limit")
    items, more = _after(sandbox, resource, rows, params.get("cursor"), limit)
    following = _token(sandbox, resource, items[-1]) if more and items else None
    data = {"items": items, "nextCursor": following, "hasMore": following is not None}
    return {"code": 0, "msg": "success", "data": data}, {}


def _link_page(
    sandbox: Sandbox, resource: str, rows: list[dict[str, Any]], params: dict[str, str], request: Request
) -> tuple[dict[str, Any], dict[str, str]]:
    limit = _limit(sandbox, params, "limit")
    items, more = _after(sandbox, resource, rows, params.get("after"), limit)
    headers = {"X-Total-Count": str(len(rows))}
    following = None
    if more and items:
        following = str(request.url.include_query_params(after=_token(sandbox, resource, items[-1])))
        headers["Link"] = f'<{following}>; rel="next"'
    return {"items": items, "links": {"next": following}}, headers


_PAGES = {1: _offset_page, 2: _numbered_page, 3: _cursor_page, 4: _link_page}


def _after(
    sandbox: Sandbox, resource: str, rows: list[dict[str, Any]], token: str | None, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    if token:
        position = _position(sandbox, token)
        rows = [row for row in rows if sandbox.sort_key(resource, row) > position]
    return rows[:limit], len(rows) > limit


def _token(sandbox: Sandbox, resource: str, row: Mapping[str, Any]) -> str:
    payload = json.dumps({"o": sandbox.order, "k": list(sandbox.sort_key(resource, row))}, ensure_ascii=False)
    return base64.urlsafe_b64encode(payload.encode()).decode("ascii").rstrip("=")


def _position(sandbox: Sandbox, token: str) -> tuple[str, ...]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if payload["o"] != sandbox.order:
            raise BadRequest("cursor is from another ordering")
        return tuple(str(part) for part in payload["k"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise BadRequest("invalid cursor") from exc


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise BadRequest(f"updated_since 格式错误 (not an ISO-8601 time): {value}") from exc


def _limit(sandbox: Sandbox, params: dict[str, str], name: str) -> int:
    limit = _int(params, name, sandbox.default_page_size, minimum=1)
    if limit > sandbox.max_page_size:
        raise BadRequest(f"{name} must be at most {sandbox.max_page_size}")
    return limit


def _int(params: dict[str, str], name: str, default: int, *, minimum: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError as exc:
        raise BadRequest(f"{name} must be an integer") from exc
    if value < minimum:
        raise BadRequest(f"{name} must be at least {minimum}")
    return value


def _authorized(sandbox: Sandbox, request: Request) -> bool:
    if sandbox.token is None and sandbox.api_key is None and sandbox.basic is None:
        return True
    given = request.headers.get("authorization", "")
    scheme, _, credential = given.partition(" ")
    if sandbox.token is not None and scheme.lower() == "bearer" and _same(credential, sandbox.token):
        return True
    key = request.headers.get(sandbox.api_key_header, "")
    if sandbox.api_key is not None and _same(key, sandbox.api_key):
        return True
    if sandbox.basic is not None and scheme.lower() == "basic":
        expected = base64.b64encode(":".join(sandbox.basic).encode()).decode("ascii")
        return _same(credential, expected)
    return False


def _same(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode(), expected.encode())


def _error(status: int, message: str | None = None) -> JSONResponse:
    body = {"code": status, "msg": message or _MESSAGES.get(status, "error"), "data": None}
    return JSONResponse(body, status_code=status, headers=_HEADERS)


def _fault_response(fault: Fault) -> Response:
    if fault.kind == "reset":
        return _DroppedConnection()
    response = _error(fault.status)
    if fault.retry_after is not None:
        response.headers["Retry-After"] = fault.retry_after
    return response


class _DroppedConnection(Response):
    """Starts a 200 response, sends part of it, then stops: the server drops the connection."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"code": 0, "data": {"ite', "more_body": True})
