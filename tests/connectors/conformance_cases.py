"""Per-connector inputs for the conformance suite: a working config, one with bad
credentials, and the canary secret that must never appear in any output.

Every source registered under ``dmshub.connectors`` needs a case here; the suite fails
for a registered source without one.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx

CANARY = "canary-7Hq2-ZZ-secret"


@dataclass(frozen=True)
class Case:
    """``setup(tmp_path)`` yields (good config, bad-credentials config) while the source is reachable."""

    setup: Callable[[Path], AbstractContextManager[tuple[dict[str, Any], dict[str, Any]]]]
    source_kwargs: Callable[[], dict[str, Any]] = dict


@contextmanager
def _sample(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    yield (
        {"count": 60, "page_size": 7, "api_key": f"sk_sample_{CANARY}"},
        {"count": 60, "page_size": 7, "api_key": f"revoked-{CANARY}"},
    )


FILE_DROP_FIXTURES = Path(__file__).parent / "file_drop" / "fixtures" / "drop"


def _refuse_all(request: httpx.Request) -> httpx.Response:
    return httpx.Response(401, json={"error": "invalid token"})


@contextmanager
def _file_drop(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    folder = tmp_path / "drop"
    shutil.copytree(FILE_DROP_FIXTURES, folder)
    # Good: a local folder (no secret). Bad: an HTTP drop refusing the canary token.
    yield (
        {"path": str(folder), "settle_seconds": 0},
        {"url": "https://drop.example.invalid/wms/", "token": f"tok-{CANARY}", "settle_seconds": 0},
    )


@cache
def _rest_sandbox() -> Any:
    from connectors.rest.sandbox import demo_sandbox

    return demo_sandbox(token=f"good-{CANARY}")


@contextmanager
def _rest(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    base = {"base_url": "http://rest-sandbox.invalid"}
    yield (
        {**base, "auth": {"type": "bearer", "token": f"good-{CANARY}"}},
        {**base, "auth": {"type": "bearer", "token": f"revoked-{CANARY}"}},
    )


def _rest_kwargs() -> dict[str, Any]:
    from connectors.rest.sandbox import sandbox_transport

    return {"transport": sandbox_transport(_rest_sandbox()), "sleep": lambda seconds: None}


CASES: dict[str, Case] = {
    "sample": Case(_sample),
    "file-drop": Case(_file_drop, lambda: {"transport": httpx.MockTransport(_refuse_all)}),
    "rest": Case(_rest, _rest_kwargs),
}
