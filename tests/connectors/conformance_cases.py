"""Per-connector inputs for the conformance suite: a working config, one with bad
credentials, and the canary secret that must never appear in any output.

Every source registered under ``dmshub.connectors`` needs a case here; the suite fails
for a registered source without one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


CASES: dict[str, Case] = {
    "sample": Case(_sample),
}
