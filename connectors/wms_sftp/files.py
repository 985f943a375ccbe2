"""Which files a stream has read (its state), which it may read now, and when one is archived.

State, per stream (JSON, committed by the sync engine with the batch it belongs to)::

    {"done": {"inv_WH1_0501.csv": [size, mtime], ...},
     "reading": {"file": "inv_WH2_0501.csv", "size": ..., "mtime": ..., "offset": ..., "line": ...,
                 "header_end": ..., "header_lines": ..., "codec": "gb18030"}}

A file is *done* once the batch holding its last rows is committed; it is never read again
while it stays in ``out_dir`` with the same size and time (a file re-dropped under the same
name with other content is a new file). ``reading`` is the file cut off after a committed
batch: the next read resumes at that byte. Entries of files no longer in ``out_dir`` are
dropped, so the state stays as small as the folder.

Why a set of files and not a cursor over file times, as file-drop has: SFTP reports only a
file's mtime (no ctime), and an upload renamed into place keeps the mtime of when its bytes
were written, so a cursor could pass it by. A set has no order to get wrong.

**Archiving** happens only for files the *committed* state passed to a read says are done:
the sync engine hands each stream the state it committed, and Airbyte the state its
destination committed. A ``shp_*.csv`` file feeds three streams (shipments, shipment_lines,
trace_codes); :class:`ArchiveLedger` moves it only when every one of them has it done, so
one stream never takes a file away from the others. Files therefore leave ``out_dir`` one
run after they are loaded; a stream synced on its own never moves them.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.errors import FatalConnectorError
from connectors.file_drop.client import DropFile
from connectors.file_drop.selection import Settling, ready_files
from connectors.sftp import RemoteFile
from connectors.wms_sftp.client import DropBox
from connectors.wms_sftp.reading import Position
from connectors.wms_sftp.spec import SYSTEM

__all__ = ["ArchiveLedger", "FilesState", "Listing", "list_ready"]

logger = logging.getLogger(__name__)

Stamp = tuple[int, int]  # (size, mtime): a file under one name is the same file while these hold


def stamp(file: RemoteFile) -> Stamp:
    """What identifies one version of a file."""
    return (file.size, file.mtime)


@dataclass
class FilesState:
    """The files one stream has read, and the one it is part-way through."""

    done: dict[str, Stamp] = field(default_factory=dict)
    reading: tuple[RemoteFile, Position] | None = None

    @classmethod
    def load(cls, state: Mapping[str, Any] | None) -> FilesState:
        """From a committed state (empty or None: nothing read yet)."""
        if not state:
            return cls()
        try:
            done = {str(name): (int(v[0]), int(v[1])) for name, v in (state.get("done") or {}).items()}
            raw = state.get("reading")
            reading = None
            if raw:
                file = RemoteFile(str(raw["file"]), "", int(raw["size"]), int(raw["mtime"]))
                reading = (file, Position.from_state(raw))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise FatalConnectorError(
                f"{SYSTEM}: the saved stream state is not a wms-sftp file state ({type(exc).__name__}); "
                "reset the stream's state",
                system=SYSTEM,
            ) from exc
        return cls(done, reading)

    def dump(self) -> dict[str, Any]:
        """JSON-ready (inverse of :meth:`load`)."""
        state: dict[str, Any] = {"done": {name: list(value) for name, value in sorted(self.done.items())}}
        if self.reading is not None:
            file, position = self.reading
            state["reading"] = {
                "file": file.name,
                "size": file.size,
                "mtime": file.mtime,
                **position.to_state(),
            }
        return state

    def is_done(self, file: RemoteFile) -> bool:
        """Whether this version of ``file`` was read to its end."""
        return self.done.get(file.name) == stamp(file)

    def resume_point(self, file: RemoteFile) -> Position | None:
        """Where to continue ``file`` (None: from its start)."""
        if self.reading is None or self.reading[0].name != file.name:
            return None
        if stamp(self.reading[0]) != stamp(file):
            logger.warning(
                "%s: %s changed after it was partly read; reading it again from the start", SYSTEM, file.name
            )
            return None
        return self.reading[1]

    def prune(self, present: set[str]) -> None:
        """Forget files that are no longer in the folder (archived, or removed by the WMS)."""
        self.done = {name: value for name, value in self.done.items() if name in present}
        if self.reading is not None and self.reading[0].name not in present:
            logger.warning("%s: %s disappeared before it was read to its end", SYSTEM, self.reading[0].name)
            self.reading = None

    def progress(self, file: RemoteFile, position: Position) -> None:
        """Rows of ``file`` up to ``position`` are in the batch this state is committed with."""
        self.reading = (file, position)

    def finish(self, file: RemoteFile) -> None:
        """All rows of ``file`` are in the batch this state is committed with (or an earlier one)."""
        self.done[file.name] = stamp(file)
        if self.reading is not None and self.reading[0].name == file.name:
            self.reading = None


class Listing:
    """file-drop's ``Folder`` port over one folder of a drop box: listing only, remembered."""

    def __init__(self, box: DropBox, folder: str) -> None:
        self._box = box
        self._folder = folder
        self.names: set[str] = set()
        self._files: dict[str, RemoteFile] = {}

    def describe(self) -> str:
        """``server:folder``."""
        return f"{self._box.where}:{self._folder}"

    def list_files(self, wanted: Callable[[str], bool] = lambda _name: True) -> list[DropFile]:
        """The folder's ``wanted`` files (mtime in ns as the change time: SFTP has no ctime).

        :attr:`names` collects every name seen, wanted or not (to forget files that are gone).
        """
        files = self._box.list_files(self._folder)
        self.names |= {f.name for f in files}
        self._files = {f.name: f for f in files if wanted(f.name)}
        return [DropFile(f.name, f.size, f.mtime * 1_000_000_000, f.path) for f in self._files.values()]

    def local_copy(self, file: DropFile) -> AbstractContextManager[Path]:
        """Not used: remote files are streamed in blocks, never copied whole."""
        raise NotImplementedError("wms-sftp streams remote files; it never copies them")

    def remote(self, file: DropFile) -> RemoteFile:
        """The drop box's record of ``file``."""
        return self._files[file.name]


def list_ready(
    box: DropBox, folder: str, pattern: str, settling: Settling, *, stream: str
) -> tuple[list[RemoteFile], set[str]]:
    """(files of ``pattern`` complete enough to read now, oldest first; every name in the folder).

    Uploads in progress (``*.part``…) and files still changing are left for a later run (see
    :func:`connectors.file_drop.selection.ready_files`).
    """
    listing = Listing(box, folder)
    ready = ready_files(listing, pattern, after=None, settling=settling, stream=stream)
    return [listing.remote(f) for f in ready], listing.names


class ArchiveLedger:
    """Moves a file to the archive once every stream reading its kind has committed it."""

    def __init__(self, *, out_dir: str, archive_dir: str | None) -> None:
        self._out_dir = out_dir
        self._archive = posixpath.join(out_dir, archive_dir) if archive_dir else None
        self._readers: dict[str, set[str]] = {}
        self._done: dict[str, dict[str, Mapping[str, Stamp]]] = {}
        self._moved: set[str] = set()

    def expect(self, kind: str, stream: str) -> None:
        """``stream`` reads the files of ``kind`` (called as the streams are built)."""
        self._readers.setdefault(kind, set()).add(stream)
        self._done.setdefault(kind, {})

    def register(self, kind: str, stream: str, done: Mapping[str, Stamp], box: DropBox) -> list[str]:
        """``stream`` starts a read with these files committed; archive what all readers have. Moved names."""
        if self._archive is None:
            return []
        registered = self._done.setdefault(kind, {})
        registered[stream] = dict(done)
        if set(registered) != self._readers.get(kind, {stream}):
            return []
        names = set.intersection(*(set(d) for d in registered.values()))
        common = [
            n for n in sorted(names) if n not in self._moved and len({d[n] for d in registered.values()}) == 1
        ]
        moved: list[str] = []
        for name in common:
            current = box.stat(posixpath.join(self._out_dir, name))
            if current is None or stamp(current) != done[name]:
                continue  # gone, or replaced by a new version: not the file that was committed
            if not moved:
                box.makedirs(self._archive)
            box.move(current.path, self._target(box, name, current))
            self._moved.add(name)
            moved.append(name)
        if moved:
            logger.info(
                "%s: archived %d file(s) to %s: %s", SYSTEM, len(moved), self._archive, ", ".join(moved)
            )
        return moved

    def _target(self, box: DropBox, name: str, file: RemoteFile) -> str:
        assert self._archive is not None
        target = posixpath.join(self._archive, name)
        stem, suffix = posixpath.splitext(name)
        number = 0
        while box.stat(target) is not None:  # an earlier file of the same name: keep both
            number += 1
            target = posixpath.join(
                self._archive, f"{stem}.{file.mtime}{f'-{number}' if number > 1 else ''}{suffix}"
            )
        return target
