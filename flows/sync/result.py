"""What a sync run did, per stream: counts that reconcile, timings, drift and the error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["StreamResult", "SyncResult"]

RunStatus = Literal["succeeded", "failed", "partial"]


@dataclass
class StreamResult:
    """One stream of one run. ``read == loaded + rejected`` always holds."""

    stream: str
    entity: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    deleted: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    batches: int = 0
    seconds_read: float = 0.0
    seconds_map: float = 0.0
    seconds_load: float = 0.0
    drift: dict[str, Any] | None = None
    error: str | None = None

    @property
    def reconciles(self) -> bool:
        """Every record read was either loaded or quarantined."""
        return self.read == self.loaded + self.rejected

    @property
    def status(self) -> Literal["succeeded", "failed"]:
        return "failed" if self.error else "succeeded"


@dataclass
class SyncResult:
    """One run of one connector over one or more streams."""

    run_id: str
    connector: str
    mode: Literal["incremental", "full_refresh"]
    streams: list[StreamResult] = field(default_factory=list)

    @property
    def status(self) -> RunStatus:
        failed = [s for s in self.streams if s.error]
        if not failed:
            return "succeeded"
        return "failed" if len(failed) == len(self.streams) else "partial"

    @property
    def error(self) -> str | None:
        errors = [f"{s.stream}: {s.error}" for s in self.streams if s.error]
        return "; ".join(errors) if errors else None

    def totals(self) -> dict[str, int]:
        """Counts summed over the streams."""
        keys = ("read", "loaded", "rejected", "deleted", "inserted", "updated", "unchanged", "batches")
        return {k: sum(int(getattr(s, k)) for s in self.streams) for k in keys}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (for ``--json`` and Prefect artifacts)."""
        return {
            "run_id": self.run_id,
            "connector": self.connector,
            "mode": self.mode,
            "status": self.status,
            "error": self.error,
            "totals": self.totals(),
            "streams": [
                {**{k: v for k, v in vars(s).items()}, "status": s.status, "reconciles": s.reconciles}
                for s in self.streams
            ],
        }
