"""A sandbox of a demo ERP / master-data REST API for the ``rest`` connector.

**This is a sandbox**: a stateful fake that exists for tests and demos. It imitates the shape
of a Chinese ERP's master-data API (物料 ``materialCode``, 客户 ``custCode``, 库存 ``whCode``,
``lastModified`` in ``+08:00``) and is not, and does not imitate, any vendor's product.

It holds ``products``, ``dealers`` and ``stock`` in memory (:class:`Sandbox`, seeded from rows
or :func:`demo_rows`), really paginates in four styles (``/v1`` offset, ``/v2`` page numbers,
``/v3`` cursor, ``/v4`` Link header; see :mod:`connectors.rest.sandbox.app`), filters
``updated_since`` inclusively, checks bearer tokens, and fails on demand::

    sandbox = Sandbox(**demo_rows(), token="t0ken")
    sandbox.fail_next(2, status=429, retry_after=3)       # throttled twice
    sandbox.hang_next()                                   # the client times out
    sandbox.reset_next()                                  # the connection drops mid-body
    sandbox.after_requests(1, lambda s: s.update("products", "SKU-10001", retailPrice="9.90"))

    source = RestSource(transport=sandbox_transport(sandbox))   # in process, no socket
    url, stop = serve_sandbox(sandbox)                          # or on loopback, for the demo

Run it alone with ``python -m connectors.rest.sandbox --port 8765``.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from starlette.types import ASGIApp

from connectors.rest.sandbox.app import NOTICE, create_app
from connectors.rest.sandbox.data import DEMO_WAREHOUSES, SandboxRows, demo_rows, rows_from_canonical
from connectors.rest.sandbox.serve import serve_app
from connectors.rest.sandbox.store import BEIJING, DEMO_TOKEN, RESOURCES, LoggedRequest, Sandbox, parse_time
from connectors.rest.sandbox.transport import AsgiTransport

__all__ = [
    "BEIJING",
    "DEMO_TOKEN",
    "DEMO_WAREHOUSES",
    "NOTICE",
    "RESOURCES",
    "AsgiTransport",
    "LoggedRequest",
    "Sandbox",
    "SandboxRows",
    "create_app",
    "demo_rows",
    "demo_sandbox",
    "parse_time",
    "rows_from_canonical",
    "sandbox_transport",
    "serve_sandbox",
]


def demo_sandbox(*, seed: int = 2026, token: str | None = DEMO_TOKEN) -> Sandbox:
    """A sandbox holding :func:`demo_rows` (48 products, 48 dealers, lot-tracked stock)."""
    return Sandbox(**demo_rows(seed), token=token)


def sandbox_transport(target: Sandbox | ASGIApp) -> httpx.BaseTransport:
    """A sync httpx transport answering from ``target`` in process (a sandbox or any ASGI app)."""
    app = create_app(target) if isinstance(target, Sandbox) else target
    return AsgiTransport(app)


def serve_sandbox(
    target: Sandbox | ASGIApp | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> tuple[str, Callable[[], None]]:
    """Serve ``target`` (default: :func:`demo_sandbox`) on loopback; returns ``(base_url, stop)``."""
    if target is None:
        target = demo_sandbox()
    app = create_app(target) if isinstance(target, Sandbox) else target
    return serve_app(app, host=host, port=port)
