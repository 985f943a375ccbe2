"""Which files of a folder a stream reads this run, in which order, and which ones wait.

- A file belongs to a stream when its name matches the stream's pattern (case-insensitive
  shell wildcards with ``{a,b}`` choices); Office lock files (``~$…``) and hidden files never do.
- ``name.part`` / ``name.filepart`` / ``name.tmp`` whose ``name`` matches is an upload in
  progress: nothing after it (in file order) is read until it is renamed, so the cursor can
  never pass it. One unchanged for ``stale_part_seconds`` is taken as abandoned (and logged).
- A file changed less than ``settle_seconds`` ago is looked at twice, ``settle_seconds``
  apart; if its size, time or etag moved, or it appeared in between, it is still being
  written: it and every file after it wait for the next run.
- Files already read (ordered before the cursor's file) are skipped.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from connectors.file_drop.client import DropFile, Folder

__all__ = ["IN_PROGRESS_SUFFIXES", "Settling", "expand_braces", "in_progress_base", "matches", "ready_files"]

logger = logging.getLogger(__name__)

IN_PROGRESS_SUFFIXES = (".part", ".filepart", ".tmp")
_BRACES = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Settling:
    """How long a file must stay unchanged before it is read, and the clock and sleep to use."""

    seconds: float
    stale_part_seconds: float
    clock: Callable[[], float]
    """Seconds since the epoch (``time.time``), compared with file change times."""
    sleep: Callable[[float], None]


def expand_braces(pattern: str) -> list[str]:
    """``products_*.{csv,xlsx}`` → ``["products_*.csv", "products_*.xlsx"]`` (nested braces too)."""
    match = _BRACES.search(pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [
        expanded for choice in match.group(1).split(",") for expanded in expand_braces(head + choice + tail)
    ]


def matches(name: str, pattern: str) -> bool:
    """Whether file ``name`` matches ``pattern`` (case-insensitive; hidden and ``~$`` lock files never)."""
    if name.startswith((".", "~$")):
        return False
    folded = name.casefold()
    return any(fnmatch.fnmatchcase(folded, choice.casefold()) for choice in expand_braces(pattern))


def in_progress_base(name: str) -> str | None:
    """``inv_1.csv`` for ``inv_1.csv.part`` (an upload in progress), else None."""
    lowered = name.lower()
    for suffix in IN_PROGRESS_SUFFIXES:
        if lowered.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def ready_files(
    folder: Folder, pattern: str, *, after: str | None, settling: Settling, stream: str
) -> list[DropFile]:
    """The files of ``folder`` for ``pattern`` to read now, in order.

    ``after`` is the ``DropFile.prefix`` of the cursor's file: earlier files are skipped, that
    file itself is included (the caller resumes inside it).
    """

    def wanted(name: str) -> bool:
        base = in_progress_base(name)
        return matches(name, pattern) or (base is not None and matches(base, pattern))

    now = settling.clock()
    first = folder.list_files(wanted)
    files, uploads = _split(first, pattern, after)
    holds: list[tuple[DropFile, str]] = []
    for upload in uploads:
        idle = now - upload.changed_ns / 1e9
        if idle > settling.stale_part_seconds:
            logger.warning(
                "%s: %s has not changed for %.0f s: taken as an abandoned upload and ignored",
                stream,
                upload.name,
                idle,
            )
        else:
            holds.append((upload, "is an upload in progress"))
    young = [f for f in files if f.changed_ns / 1e9 > now - settling.seconds]
    if settling.seconds > 0 and young:
        settling.sleep(settling.seconds)
        again = {f.name: f for f in folder.list_files(wanted)}
        seen = {f.name for f in first}
        steady = []
        for file in files:
            later = again.get(file.name)
            if later is None:
                logger.info("%s: %s disappeared while it was being checked; skipped", stream, file.name)
            elif not later.same_as(file):
                holds.append((later, f"changed within {settling.seconds:g} s"))
            else:
                steady.append(file)
        files = steady
        newcomers, _ = _split([f for name, f in again.items() if name not in seen], pattern, after)
        holds.extend((f, "appeared while the folder was being checked") for f in newcomers)
    if not holds:
        return files
    stop = min(holds, key=lambda hold: hold[0].sort_key)
    ready = [f for f in files if f.sort_key < stop[0].sort_key]
    waiting = len(files) - len(ready)
    logger.info(
        "%s: %s %s; it%s wait%s for the next run",
        stream,
        stop[0].name,
        stop[1],
        f" and {waiting} later file{'s' if waiting != 1 else ''}" if waiting else "",
        "" if waiting else "s",
    )
    return ready


def _split(
    listed: Sequence[DropFile], pattern: str, after: str | None
) -> tuple[list[DropFile], list[DropFile]]:
    """(complete files of the pattern at or after ``after``, in order; uploads in progress for it)."""
    lower = None if after is None else after + "/"
    files = sorted(
        (
            f
            for f in listed
            if in_progress_base(f.name) is None
            and matches(f.name, pattern)
            and (lower is None or f.sort_key >= lower)
        ),
        key=lambda f: f.sort_key,
    )
    uploads = [
        f
        for f in listed
        if (base := in_progress_base(f.name)) is not None
        and matches(base, pattern)
        and (lower is None or f.sort_key >= lower)
    ]
    return files, uploads
