"""A synchronous httpx transport that serves requests from an ASGI app, in process.

httpx's own ``ASGITransport`` is async-only and the hub's client is sync, so this transport
runs the app on an anyio blocking portal (a short-lived event-loop thread per request, as
Starlette's TestClient does) and answers the way a server on a socket would:

- the app's response, status and headers as sent;
- the request's read timeout enforced: an app that answers too late → ``httpx.ReadTimeout``;
- a response started but not finished (the connection dropped) → ``httpx.RemoteProtocolError``;
- an exception before the response started → HTTP 500, as a server would send.

Nothing here knows about the sandbox: any ASGI app works.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import anyio
import anyio.from_thread
import httpx
from starlette.types import ASGIApp, Message

__all__ = ["AsgiTransport"]


@dataclass
class _Exchange:
    """What the app sent for one request."""

    status: int | None = None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    complete: bool = False
    timed_out: bool = False
    error: BaseException | None = None


class AsgiTransport(httpx.BaseTransport):
    """Routes a sync :class:`httpx.Client` to ``app`` (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self.app = app
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run ``request`` through the app and return its response (or raise like a socket would)."""
        body = request.read()
        timeout = (request.extensions.get("timeout") or {}).get("read")
        with anyio.from_thread.start_blocking_portal() as portal:
            exchange = portal.call(self._exchange, self._scope(request), body, timeout)
        if exchange.timed_out:
            raise httpx.ReadTimeout("timed out waiting for the response", request=request)
        if exchange.status is not None and not exchange.complete:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=request
            )
        if exchange.status is None:
            return httpx.Response(500, content=b"Internal Server Error", request=request)
        return httpx.Response(
            exchange.status, headers=exchange.headers, content=bytes(exchange.body), request=request
        )

    async def _exchange(self, scope: dict[str, Any], body: bytes, timeout: float | None) -> _Exchange:
        exchange = _Exchange()
        done = anyio.Event()
        sent_body = False

        async def receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()  # like a live connection: nothing more until the response is out
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = int(message["status"])
                exchange.headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                exchange.body += message.get("body", b"")
                if not message.get("more_body", False):
                    exchange.complete = True
                    done.set()

        deadline = anyio.fail_after(timeout) if timeout else nullcontext()
        try:
            with deadline:
                await self.app(scope, receive, send)
        except TimeoutError:
            exchange.timed_out = True
        except Exception as exc:  # noqa: BLE001 - a server turns an app crash into a 500 or a drop
            exchange.error = exc
        finally:
            done.set()
        return exchange

    def _scope(self, request: httpx.Request) -> dict[str, Any]:
        url = request.url
        raw_path = url.raw_path.split(b"?", 1)[0]
        port = url.port or (443 if url.scheme == "https" else 80)
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": unquote(raw_path.decode("ascii")),
            "raw_path": raw_path,
            "query_string": url.query,
            "root_path": "",
            "headers": [(name.lower(), value) for name, value in request.headers.raw],
            "client": self.client,
            "server": (url.host, port),
            "extensions": {},
            "state": {},
        }
