"""A small load generator on loopback: open loop at a fixed rate, closed loop for the maximum rate.

Open loop: request *i* is due at ``start + i / rate`` whatever the earlier ones do, and its
latency runs from when it was due, not from when it was sent — a slow server cannot hide
its queue by slowing the client down (no coordinated omission). Closed loop: ``concurrency``
clients send back to back for a while; completed requests per second is the maximum
sustained rate at that concurrency.

Also starts and stops the server subprocess (``bench.http_server``).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.common import REPO, percentile

__all__ = ["Latencies", "RequestSpec", "closed_loop", "open_loop", "running_server"]

RequestSpec = tuple[str, str, dict[str, str], bytes]
"""Method, path, headers, body."""


@dataclass(frozen=True)
class Latencies:
    """Milliseconds per request, and how many answered with an unexpected status."""

    ms: list[float]
    errors: int
    seconds: float

    @property
    def p50(self) -> float:
        """Median."""
        return percentile(self.ms, 50)

    @property
    def p99(self) -> float:
        """99th percentile."""
        return percentile(self.ms, 99)

    @property
    def rate(self) -> float:
        """Completed requests per second."""
        return len(self.ms) / self.seconds


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(url: str, receivers: Path | None = None) -> Iterator[str]:
    """``bench.http_server`` on a free loopback port; yields its base URL."""
    port = _free_port()
    args = [sys.executable, "-m", "bench.http_server", url, str(port)]
    if receivers is not None:
        args.append(str(receivers))
    log = tempfile.NamedTemporaryFile(prefix="dmshub-bench-server-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(
        args, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the benchmark server exited at start; see {log.name}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the benchmark server did not answer /health within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)


async def _send(client: httpx.AsyncClient, spec: RequestSpec, ok: Callable[[int], bool]) -> bool:
    """Whether the answer came and was good; a timeout or a refused connection counts as an error."""
    method, path, headers, body = spec
    try:
        response = await client.request(method, path, headers=headers, content=body)
    except httpx.HTTPError:
        return False
    return ok(response.status_code)


def open_loop(
    base: str,
    requests: Callable[[int], RequestSpec],
    *,
    rate: float,
    count: int,
    ok: Callable[[int], bool] = lambda status: status < 300,
) -> Latencies:
    """``count`` requests at ``rate`` per second (request ``i`` built by ``requests(i)``)."""

    async def run() -> Latencies:
        latencies: list[float] = []
        errors = 0
        limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
            start = time.perf_counter()

            async def one(i: int) -> None:
                nonlocal errors
                due = start + i / rate
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                good = await _send(client, requests(i), ok)
                latencies.append((time.perf_counter() - due) * 1000)
                errors += 0 if good else 1

            await asyncio.gather(*(one(i) for i in range(count)))
            return Latencies(latencies, errors, time.perf_counter() - start)

    return asyncio.run(run())


def closed_loop(
    base: str,
    requests: Callable[[int], RequestSpec],
    *,
    concurrency: int,
    seconds: float,
    ok: Callable[[int], bool] = lambda status: status < 300,
) -> Latencies:
    """``concurrency`` clients back to back for ``seconds``."""

    async def run() -> Latencies:
        latencies: list[float] = []
        errors = 0
        counter = iter(range(1 << 62))
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            start = time.perf_counter()
            stop = start + seconds

            async def worker() -> None:
                nonlocal errors
                while time.perf_counter() < stop:
                    sent = time.perf_counter()
                    good = await _send(client, requests(next(counter)), ok)
                    latencies.append((time.perf_counter() - sent) * 1000)
                    errors += 0 if good else 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return Latencies(latencies, errors, time.perf_counter() - start)

    return asyncio.run(run())


def json_body(data: Any) -> bytes:
    """Compact JSON bytes."""
    import json

    return json.dumps(data, separators=(",", ":"), default=str).encode()
