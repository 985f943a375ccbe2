"""The shared SFTP client (paramiko): pinned host keys, atomic uploads, bounded reads.

- **Host keys are pinned.** The server's key must be in the configured ``known_hosts`` text
  or match one of the configured ``SHA256:`` fingerprints. An unknown key is refused by
  paramiko's :class:`~paramiko.RejectPolicy` (subclassed only to accept pinned fingerprints),
  a changed one raises :class:`~paramiko.BadHostKeyException`; nothing is ever added or saved
  (no ``AutoAddPolicy``). Both become :class:`~connectors.errors.FatalConnectorError` with a
  message that says what to verify.
- **Credentials are arguments**: a password and/or a private key's text (Ed25519, ECDSA, RSA;
  optional passphrase). The SSH agent and ``~/.ssh`` keys are never used.
- **Uploads are atomic**: written to ``NAME.part``, then renamed with ``posix-rename@openssh.com``
  (plain RENAME where the server lacks it). Nothing is ``stat``-ed afterwards, because drop
  boxes move files away at once (paramiko #1843). A failure during the rename is an
  :class:`~connectors.errors.AmbiguousOutcome`: the file may have landed.
- **Reads are bounded**: :meth:`SftpClient.read_blocks` fetches one block at a time with
  ``readv`` (at most ``max_concurrent_requests`` requests of 32 KiB in flight), never
  ``SFTPFile.prefetch``, which buffers the rest of the file however large. A dropped
  connection is re-opened and the read resumes at the block it was reading (``reconnects``
  times in a row at most), so the caller sees every byte once.
- **Timeouts** on connect, banner, auth and every channel read; errors pass through
  :func:`connectors.translate.paramiko_errors`.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import paramiko

from canonical_model.errors import ConfigError
from connectors.errors import AmbiguousOutcome, FatalConnectorError, RetriableConnectorError
from connectors.translate import paramiko_errors

__all__ = ["PART_SUFFIX", "RemoteFile", "SftpClient", "SftpSettings", "load_private_key"]

PART_SUFFIX = ".part"
_REQUEST_SIZE = 32_768  # paramiko's SFTPFile.MAX_REQUEST_SIZE; OpenSSH serves up to 256 KiB
_KEY_CLASSES: tuple[type[paramiko.PKey], ...] = (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey)


@dataclass(frozen=True)
class SftpSettings:
    """Where and how to connect. ``known_hosts`` and/or ``host_key_fingerprints`` are required."""

    host: str
    username: str
    port: int = 22
    password: str | None = field(default=None, repr=False)
    private_key: str | None = field(default=None, repr=False)
    private_key_passphrase: str | None = field(default=None, repr=False)
    known_hosts: str = ""
    """``known_hosts`` lines (``[host]:port`` for ports other than 22; hashed names work)."""
    host_key_fingerprints: tuple[str, ...] = ()
    """``SHA256:…`` fingerprints as ``ssh-keygen -lf`` prints them."""
    connect_timeout: float = 15.0
    timeout: float = 60.0
    """Seconds any single SFTP reply may take before the connection counts as dropped."""
    max_concurrent_requests: int = 32
    reconnects: int = 3
    system: str = "sftp"

    def __post_init__(self) -> None:
        if not self.known_hosts.strip() and not self.host_key_fingerprints:
            raise ConfigError(
                f"{self.system}: pin the server's host key (known_hosts or host_key_fingerprints); "
                "unknown host keys are never accepted"
            )
        if not self.password and not self.private_key:
            raise ConfigError(f"{self.system}: set a password or a private key")

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret values, for redaction."""
        return tuple(s for s in (self.password, self.private_key, self.private_key_passphrase) if s)


@dataclass(frozen=True)
class RemoteFile:
    """A regular file in a remote folder."""

    name: str
    path: str
    size: int
    mtime: int


def load_private_key(text: str, passphrase: str | None = None, *, system: str = "sftp") -> paramiko.PKey:
    """A paramiko key from OpenSSH or PEM text (Ed25519, ECDSA or RSA)."""
    for cls in _KEY_CLASSES:
        try:
            return cls.from_private_key(io.StringIO(text), password=passphrase)
        except paramiko.PasswordRequiredException as exc:
            raise ConfigError(f"{system}: the private key is encrypted: set its passphrase") from exc
        except (paramiko.SSHException, ValueError, TypeError, IndexError):
            continue
    raise ConfigError(
        f"{system}: the private key is not an Ed25519, ECDSA or RSA key in OpenSSH/PEM format, "
        "or its passphrase is wrong"
    )


def _host_keys(text: str, system: str) -> paramiko.HostKeys:
    keys = paramiko.HostKeys()
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("@"):
            raise ConfigError(
                f"{system}: known_hosts line {number}: markers (@cert-authority, @revoked) are not supported"
            )
        entry = paramiko.hostkeys.HostKeyEntry.from_line(stripped, number)
        if entry is None or entry.key is None:
            raise ConfigError(f"{system}: known_hosts line {number} is not a valid host key line")
        for name in entry.hostnames:
            keys.add(name, entry.key.get_name(), entry.key)
    return keys


def _normalise_fingerprint(value: str, system: str) -> str:
    text = value.strip().split()[1] if len(value.split()) > 1 else value.strip()  # `ssh-keygen -lf` line
    if not text.startswith("SHA256:"):
        raise ConfigError(f"{system}: host key fingerprints must be SHA256:… (as ssh-keygen -lf prints them)")
    return text.rstrip("=")


class _PinnedFingerprints(paramiko.MissingHostKeyPolicy):
    """paramiko's RejectPolicy, except for a key matching a pinned fingerprint (nothing is saved)."""

    def __init__(self, fingerprints: frozenset[str], system: str, where: str) -> None:
        self._fingerprints = fingerprints
        self._system = system
        self._where = where

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        if key.fingerprint in self._fingerprints:
            return
        if self._fingerprints:
            raise FatalConnectorError(
                f"{self._system}: host key of {self._where} ({key.fingerprint}) matches none of the pinned "
                "fingerprints: the server changed its key or someone is in between; verify the new key "
                "out of band before pinning it",
                system=self._system,
            )
        paramiko.RejectPolicy().missing_host_key(client, hostname, key)


def _quiet_prefetch(handle: paramiko.SFTPFile) -> paramiko.SFTPFile:
    """``handle`` whose read-ahead thread ends quietly when the connection drops.

    paramiko's ``readv`` sends its requests from a helper thread that lets a dropped connection's
    error escape (a traceback on stderr). The reading thread sees the same drop and raises it;
    the helper keeps the error for it (``_saved_exception``, re-raised on the next read).
    """
    send = getattr(handle, "_prefetch_thread", None)
    if send is None:  # a paramiko without this helper: nothing to quieten
        return handle

    def quiet(*args: Any) -> None:
        try:
            send(*args)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            handle._saved_exception = exc  # type: ignore[attr-defined]

    setattr(handle, "_prefetch_thread", quiet)  # noqa: B010 - an instance override of a private helper
    return handle


class SftpClient:
    """One SFTP connection (opened lazily, re-opened after a drop). Use as a context manager."""

    def __init__(self, settings: SftpSettings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.connections = 0
        """How many times a connection was opened (tests check reconnects with it)."""
        self._sleep = sleep
        self._ssh: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self._host_keys = _host_keys(settings.known_hosts, settings.system)
        self._fingerprints = frozenset(
            _normalise_fingerprint(f, settings.system) for f in settings.host_key_fingerprints
        )
        self._pkey = (
            load_private_key(settings.private_key, settings.private_key_passphrase, system=settings.system)
            if settings.private_key
            else None
        )

    def __enter__(self) -> SftpClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def where(self) -> str:
        """``host:port``, for messages."""
        return f"{self.settings.host}:{self.settings.port}"

    def errors(self) -> Any:
        """The error translator for this server (a context manager)."""
        return paramiko_errors(self.settings.system, host=self.where, secrets=self.settings.secrets)

    def connect(self) -> paramiko.SFTPClient:
        """The open SFTP session (connecting first if needed)."""
        if self._sftp is not None:
            return self._sftp
        s = self.settings
        ssh = paramiko.SSHClient()
        for hostname in self._host_keys:
            for key in self._host_keys[hostname].values():
                ssh.get_host_keys().add(hostname, key.get_name(), key)
        ssh.set_missing_host_key_policy(_PinnedFingerprints(self._fingerprints, s.system, self.where))
        try:
            with self.errors():
                ssh.connect(
                    s.host,
                    port=s.port,
                    username=s.username,
                    password=s.password,
                    pkey=self._pkey,
                    timeout=s.connect_timeout,
                    banner_timeout=s.connect_timeout,
                    auth_timeout=s.connect_timeout,
                    channel_timeout=s.connect_timeout,
                    allow_agent=False,
                    look_for_keys=False,
                )
                transport = ssh.get_transport()
                if transport is not None:
                    transport.set_keepalive(30)
                sftp = ssh.open_sftp()
                channel = sftp.get_channel()
                if channel is not None:
                    channel.settimeout(s.timeout)
        except BaseException:
            ssh.close()
            raise
        self.connections += 1
        self._ssh, self._sftp = ssh, sftp
        return sftp

    def close(self) -> None:
        """Close the connection (safe to call twice, and after a drop)."""
        sftp, ssh, self._sftp, self._ssh = self._sftp, self._ssh, None, None
        for closable in (sftp, ssh):
            if closable is not None:
                with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
                    closable.close()  # fails when the connection is already gone

    def list_files(self, folder: str) -> list[RemoteFile]:
        """The regular files directly in ``folder`` (unsorted, as the server lists them)."""
        sftp = self.connect()
        with self.errors():
            entries = sftp.listdir_attr(folder)
        return [
            RemoteFile(
                e.filename, posixpath.join(folder, e.filename), int(e.st_size or 0), int(e.st_mtime or 0)
            )
            for e in entries
            if e.st_mode is not None and stat.S_ISREG(e.st_mode)
        ]

    def stat(self, path: str) -> RemoteFile | None:
        """The file at ``path``, or None when there is nothing there."""
        sftp = self.connect()
        try:
            with self.errors():
                attrs = sftp.stat(path)
        except FatalConnectorError as exc:
            if isinstance(exc.__cause__, FileNotFoundError):
                return None
            raise
        return RemoteFile(posixpath.basename(path), path, int(attrs.st_size or 0), int(attrs.st_mtime or 0))

    def is_dir(self, path: str) -> bool:
        """Whether ``path`` is a folder."""
        sftp = self.connect()
        try:
            with self.errors():
                mode = sftp.stat(path).st_mode
        except FatalConnectorError as exc:
            if isinstance(exc.__cause__, FileNotFoundError):
                return False
            raise
        return mode is not None and stat.S_ISDIR(mode)

    def makedirs(self, path: str) -> None:
        """Create ``path`` and its missing parents."""
        sftp = self.connect()
        current = "/" if path.startswith("/") else ""
        for part in [p for p in path.split("/") if p]:
            current = posixpath.join(current, part) if current else part
            if not self.is_dir(current):
                with self.errors():
                    sftp.mkdir(current)

    def move(self, source: str, target: str) -> None:
        """Rename ``source`` to ``target`` (replacing it where the server supports posix-rename)."""
        sftp = self.connect()
        with self.errors():
            try:
                sftp.posix_rename(source, target)
            except FileNotFoundError:
                raise
            except OSError:
                # No posix-rename@openssh.com here (servers answer "unsupported" or "permission
                # denied"): plain RENAME, whose own error is the one that counts if it fails too.
                sftp.rename(source, target)

    def remove(self, path: str) -> None:
        """Delete the file at ``path``."""
        sftp = self.connect()
        with self.errors():
            sftp.remove(path)

    def upload(self, path: str, data: bytes) -> None:
        """Write ``data`` to ``path`` atomically: ``path.part`` first, then a rename."""
        part = path + PART_SUFFIX
        sftp = self.connect()
        with self.errors(), sftp.open(part, "wb") as handle:
            handle.set_pipelined(True)
            handle.write(data)
        try:
            self.move(part, path)
        except RetriableConnectorError as exc:
            self.close()
            raise AmbiguousOutcome(
                f"{exc} (while renaming {posixpath.basename(part)}: the file may have landed)",
                system=self.settings.system,
            ) from exc

    def read_blocks(
        self, path: str, *, start: int = 0, end: int | None = None, block_size: int = 1 << 20
    ) -> Iterator[tuple[int, bytes]]:
        """``(offset, bytes)`` blocks of ``path`` from ``start`` to ``end`` (default: its size).

        Each block is fetched with bounded concurrency; a dropped connection is re-opened and
        the block re-read, so every byte is yielded exactly once, in order.
        """
        position, failures, stop = start, 0, end
        handle: paramiko.SFTPFile | None = None
        try:
            while stop is None or position < stop:
                try:
                    if handle is None or stop is None:
                        sftp = self.connect()
                        with self.errors():
                            handle = _quiet_prefetch(sftp.open(path, "rb"))
                            if stop is None:
                                stop = int(handle.stat().st_size or 0)
                        continue
                    data = self._read_block(handle, path, position, min(block_size, stop - position))
                except RetriableConnectorError:
                    failures += 1
                    if failures > self.settings.reconnects:
                        raise
                    handle = None
                    self.close()
                    self._sleep(min(0.5 * 2 ** (failures - 1), 10.0))
                    continue
                failures = 0
                yield position, data
                position += len(data)
        finally:
            if handle is not None:
                with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
                    handle.close()

    def _read_block(self, handle: paramiko.SFTPFile, path: str, offset: int, length: int) -> bytes:
        requests = [
            (o, min(_REQUEST_SIZE, offset + length - o))
            for o in range(offset, offset + length, _REQUEST_SIZE)
        ]
        with self.errors():
            data = b"".join(handle.readv(requests, self.settings.max_concurrent_requests))
        if len(data) != length:
            raise FatalConnectorError(
                f"{self.settings.system}: {path} on {self.where} ended at byte {offset + len(data)}, "
                f"before {offset + length}: it changed while being read",
                system=self.settings.system,
            )
        return data
