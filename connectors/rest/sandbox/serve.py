"""Serve the sandbox on loopback (uvicorn on a background thread), for demos and live tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp

__all__ = ["serve_app"]


def serve_app(
    app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0, startup_timeout: float = 10.0
) -> tuple[str, Callable[[], None]]:
    """Start ``app`` on ``host:port`` (0: a free port); return its base URL and a ``stop()``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="dmshub-sandbox", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start on {host}:{port}")
            time.sleep(0.01)
    except BaseException:
        sock.close()
        raise
    bound_port = sock.getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()

    return f"http://{host}:{bound_port}", stop
