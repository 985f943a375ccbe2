"""The drop box the streams and the sink talk to: the WMS's SFTP server, or a local folder.

:class:`DropBox` is the port: list, stat, read in bounded blocks, upload atomically, move.
:class:`~connectors.sftp.SftpClient` (the shared paramiko client) is one implementation;
:class:`LocalDropBox` is the other, for the demo on a machine without sshd: the same layout
(``out/``, ``in/``, ``archive/``) in a folder, written and renamed the same way.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from connectors.errors import FatalConnectorError
from connectors.sftp import PART_SUFFIX, RemoteFile, SftpClient, SftpSettings
from connectors.wms_sftp.spec import SYSTEM, WmsSftpConfig

__all__ = ["DropBox", "LocalDropBox", "open_dropbox", "sftp_settings"]


class DropBox(Protocol):
    """What the connector needs of the place files are exchanged through."""

    @property
    def where(self) -> str:
        """The server (``host:port``) or folder, for messages."""
        ...

    def list_files(self, folder: str) -> list[RemoteFile]:
        """Regular files directly in ``folder``, in no particular order."""
        ...

    def stat(self, path: str) -> RemoteFile | None:
        """The file at ``path``, or None."""
        ...

    def is_dir(self, path: str) -> bool:
        """Whether ``path`` is a folder."""
        ...

    def makedirs(self, path: str) -> None:
        """Create ``path`` and its parents."""
        ...

    def move(self, source: str, target: str) -> None:
        """Rename ``source`` to ``target``."""
        ...

    def upload(self, path: str, data: bytes) -> None:
        """Write ``path`` atomically (``path.part`` then rename)."""
        ...

    def read_blocks(
        self, path: str, *, start: int = 0, end: int | None = None, block_size: int = 1 << 20
    ) -> Iterator[tuple[int, bytes]]:
        """``(offset, bytes)`` blocks from ``start`` to ``end``, in order, each byte once."""
        ...

    def close(self) -> None:
        """Release the connection (if any)."""
        ...


def sftp_settings(config: WmsSftpConfig) -> SftpSettings:
    """The shared SFTP client's settings for ``config`` (sftp mode)."""

    def secret(value: object) -> str | None:
        getter = getattr(value, "get_secret_value", None)
        return str(getter()) if getter is not None else None

    return SftpSettings(
        host=config.host or "",
        port=config.port,
        username=config.username or "",
        password=secret(config.password),
        private_key=secret(config.private_key),
        private_key_passphrase=secret(config.private_key_passphrase),
        known_hosts=config.known_hosts or "",
        host_key_fingerprints=tuple(config.host_key_fingerprints),
        connect_timeout=config.connect_timeout,
        timeout=config.timeout,
        max_concurrent_requests=config.max_concurrent_requests,
        reconnects=config.reconnects,
        system=SYSTEM,
    )


def open_dropbox(config: WmsSftpConfig, *, sleep: Callable[[float], None] = time.sleep) -> DropBox:
    """A (lazily connecting) drop box for ``config``; close it when done."""
    if config.mode == "local":
        return LocalDropBox(Path(config.local_root or "."))
    return SftpClient(sftp_settings(config), sleep=sleep)


class LocalDropBox:
    """A folder on this machine standing in for the server's root: ``/out`` is ``root/out``."""

    def __init__(self, root: Path) -> None:
        self.root = root.expanduser().resolve()

    @property
    def where(self) -> str:
        """The folder."""
        return str(self.root)

    def _local(self, path: str) -> Path:
        local = (self.root / path.lstrip("/")).resolve()
        if local != self.root and self.root not in local.parents:
            raise FatalConnectorError(f"{SYSTEM}: {path} is outside {self.root}", system=SYSTEM)
        return local

    def list_files(self, folder: str) -> list[RemoteFile]:
        """Regular files directly in ``folder``."""
        files = []
        with _errors(folder), os.scandir(self._local(folder)) as entries:
            for entry in entries:
                try:
                    if entry.is_file(follow_symlinks=False):
                        info = entry.stat()
                        files.append(
                            RemoteFile(
                                entry.name,
                                f"{folder.rstrip('/')}/{entry.name}",
                                info.st_size,
                                int(info.st_mtime),
                            )
                        )
                except FileNotFoundError:  # removed while listing
                    continue
        return files

    def stat(self, path: str) -> RemoteFile | None:
        """The file at ``path``, or None."""
        try:
            info = self._local(path).stat()
        except FileNotFoundError:
            return None
        return RemoteFile(Path(path).name, path, info.st_size, int(info.st_mtime))

    def is_dir(self, path: str) -> bool:
        """Whether ``path`` is a folder."""
        try:
            return stat.S_ISDIR(self._local(path).stat().st_mode)
        except FileNotFoundError:
            return False

    def makedirs(self, path: str) -> None:
        """Create ``path`` and its parents."""
        with _errors(path):
            self._local(path).mkdir(parents=True, exist_ok=True)

    def move(self, source: str, target: str) -> None:
        """Rename ``source`` to ``target`` (replacing it)."""
        with _errors(source):
            self._local(source).replace(self._local(target))

    def upload(self, path: str, data: bytes) -> None:
        """Write ``path.part``, then rename it to ``path``."""
        part = self._local(path + PART_SUFFIX)
        with _errors(path):
            part.write_bytes(data)
            part.replace(self._local(path))

    def read_blocks(
        self, path: str, *, start: int = 0, end: int | None = None, block_size: int = 1 << 20
    ) -> Iterator[tuple[int, bytes]]:
        """``(offset, bytes)`` blocks from ``start`` to ``end`` (default: the file's size)."""
        with _errors(path), self._local(path).open("rb") as handle:
            stop = os.fstat(handle.fileno()).st_size if end is None else end
            handle.seek(start)
            position = start
            while position < stop:
                data = handle.read(min(block_size, stop - position))
                if not data:
                    raise FatalConnectorError(
                        f"{SYSTEM}: {path} ended at byte {position}, before {stop}: "
                        "it changed while being read",
                        system=SYSTEM,
                    )
                yield position, data
                position += len(data)

    def close(self) -> None:
        """Nothing to release."""


class _errors:
    """OS errors of the local folder as fatal connector errors naming the path."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, OSError):
            reason = exc.strerror or type(exc).__name__
            raise FatalConnectorError(f"{SYSTEM}: {self.path}: {reason}", system=SYSTEM) from exc
