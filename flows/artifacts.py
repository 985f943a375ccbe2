"""The markdown a sync run leaves behind (as a Prefect artifact, and in the CLI's --json)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["sync_markdown"]


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def sync_markdown(connector: str, streams: Sequence[dict[str, Any]]) -> str:
    """A table of read / loaded / rejected / deleted and timings per stream, with where to look next.

    ``streams`` are :meth:`flows.sync.result.SyncResult.as_dict` stream entries. Errors are
    the typed, already-redacted messages; nothing else from the config is shown.
    """
    lines = [
        f"## Sync `{connector}`",
        "",
        "| stream | entity | status | read | loaded | rejected | deleted | inserted | updated "
        "| seconds | run |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in streams:
        seconds = s["seconds_read"] + s["seconds_map"] + s["seconds_load"]
        lines.append(
            "| "
            + " | ".join(
                _cell(v)
                for v in (
                    s["stream"],
                    s["entity"],
                    s["status"],
                    s["read"],
                    s["loaded"],
                    s["rejected"],
                    s["deleted"],
                    s["inserted"],
                    s["updated"],
                    f"{seconds:.2f}",
                    s.get("run_id", ""),
                )
            )
            + " |"
        )
    rejected = [s for s in streams if s["rejected"]]
    if rejected:
        lines += ["", "Quarantined records:"]
        lines += [
            f"- `{s['stream']}`: {s['rejected']} — `dmshub quarantine list --connector {connector} "
            f"--stream {s['stream']}`"
            for s in rejected
        ]
    failed = [s for s in streams if s.get("error")]
    if failed:
        lines += ["", "Errors:"] + [f"- `{s['stream']}`: {_cell(s['error'])}" for s in failed]
    return "\n".join(lines) + "\n"
