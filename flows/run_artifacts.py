"""Markdown tables for the artifacts the scheduled flows leave (sync runs use :mod:`flows.artifacts`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["markdown_table"]


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """``## title`` and a table; "nothing to do" when there are no rows. Cells are escaped."""
    lines = [f"## {title}", ""]
    if not rows:
        return "\n".join([*lines, "Nothing to do."]) + "\n"
    lines.append("| " + " | ".join(headers) + " |")
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
