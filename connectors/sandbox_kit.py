"""Plumbing shared by the vendor sandboxes: faults on demand, a request log, an httpx transport.

A sandbox is a stateful fake of one vendor API, for tests and demos; it is never presented as
the vendor. Subclasses implement :meth:`FakeApi.respond` (verify the signature, serve the
method, paginate) and render vendor error codes queued with :meth:`FakeApi.vendor_error_next`.
The base handles what every API can suffer on the wire:

=================================  ==============================================================
``fail_next(503, retry_after=2)``  the next request(s) get that HTTP status (and ``Retry-After``)
``time_out_next()``                the next request times out before the vendor processed it
``time_out_next(after_processing`` the vendor processes it (a write commits), then the response
``=True)``                         is lost: the client sees a timeout (an ambiguous outcome)
``refuse_next_connection()``       the next request never connects
``vendor_error_next("S002")``      the next request is answered with that vendor error code
=================================  ==============================================================

``transport`` is an :class:`httpx.MockTransport` for the hub's sync client.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass
from typing import ClassVar, Literal

import httpx

__all__ = ["FakeApi", "Fault"]

FaultKind = Literal["status", "timeout", "timeout_after", "connect"]


@dataclass(frozen=True)
class Fault:
    """One injected failure (consumed by one request)."""

    kind: FaultKind
    status: int = 503
    retry_after: str | None = None


class FakeApi(ABC):
    """Base of every vendor sandbox (see the module docstring)."""

    NOTICE: ClassVar[str] = (
        "DMS Hub sandbox: a fake vendor API for tests and demos, not the vendor's service."
    )

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._faults: deque[Fault] = deque()
        self._vendor_faults: deque[str] = deque()
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ faults on demand

    def fail_next(self, status: int = 503, *, times: int = 1, retry_after: float | str | None = None) -> None:
        """Answer the next ``times`` requests with HTTP ``status`` (optionally ``Retry-After``)."""
        header = None if retry_after is None else str(retry_after)
        self._queue(Fault("status", status, header), times)

    def time_out_next(self, *, times: int = 1, after_processing: bool = False) -> None:
        """Time out the next ``times`` requests, before or after the vendor processed them."""
        self._queue(Fault("timeout_after" if after_processing else "timeout"), times)

    def refuse_next_connection(self, *, times: int = 1) -> None:
        """Refuse the connection of the next ``times`` requests (nothing reaches the vendor)."""
        self._queue(Fault("connect"), times)

    def vendor_error_next(self, code: str, *, times: int = 1) -> None:
        """Answer the next ``times`` requests with the vendor's error ``code``."""
        with self._lock:
            self._vendor_faults.extend([code] * times)

    def take_vendor_error(self) -> str | None:
        """The queued vendor error code for this request, if any (for :meth:`respond`)."""
        with self._lock:
            return self._vendor_faults.popleft() if self._vendor_faults else None

    def _queue(self, fault: Fault, times: int) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.extend([fault] * times)

    # ------------------------------------------------------------------ transport

    @property
    def transport(self) -> httpx.MockTransport:
        """An httpx transport that routes the hub's client to this sandbox."""
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Serve one request: injected faults first, then :meth:`respond`."""
        request.read()
        with self._lock:
            self.requests.append(request)
            fault = self._faults.popleft() if self._faults else None
        if fault is not None and fault.kind == "connect":
            raise httpx.ConnectError("sandbox: connection refused", request=request)
        if fault is not None and fault.kind == "timeout":
            raise httpx.ReadTimeout("sandbox: timed out", request=request)
        if fault is not None and fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return httpx.Response(
                fault.status, headers=headers, json={"sandbox_fault": fault.status}, request=request
            )
        with self._lock:
            response = self.respond(request)
        if fault is not None and fault.kind == "timeout_after":
            raise httpx.ReadTimeout("sandbox: timed out after the request was processed", request=request)
        return response

    @abstractmethod
    def respond(self, request: httpx.Request) -> httpx.Response:
        """The vendor's answer to ``request`` (called under the sandbox lock)."""
