"""Where the files are: a local folder or an http(s) location, behind one small interface.

A :class:`Folder` lists its files as :class:`DropFile` (name, size, change time) and hands one
over as a local path to read. :class:`LocalFolder` reads a directory; :class:`HttpFolder` reads
an HTML index page (nginx/Apache autoindex, ``python -m http.server``) or a single file URL
through the hub's HTTP client (retries, timeouts, redacted errors), with ``HEAD`` for each
file's ``Last-Modified`` and size, and downloads a file into a temporary folder to read it.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from connectors.errors import FatalConnectorError
from connectors.http import HttpClientConfig, HubHttpClient, build_http_client
from connectors.redaction import sanitize_url

__all__ = ["SYSTEM", "DropFile", "Folder", "HttpFolder", "LocalFolder"]

SYSTEM = "file-drop"


@dataclass(frozen=True)
class DropFile:
    """One file of the folder as listed: enough to order it and to tell whether it changed."""

    name: str
    size: int
    """Bytes, or -1 when the server did not say."""
    changed_ns: int
    """When the file last changed, in ns since the epoch (see :mod:`connectors.file_drop`)."""
    location: str
    """Its path or URL."""
    etag: str | None = None

    @property
    def prefix(self) -> str:
        """``<changed_ns, 20 digits>/<name>``: files sort by this, and their rows' cursors start with it."""
        return f"{self.changed_ns:020d}/{self.name}"

    @property
    def sort_key(self) -> str:
        # With the trailing "/" files sort exactly like their rows' cursors (``prefix/line``).
        return self.prefix + "/"

    def same_as(self, other: DropFile) -> bool:
        """True when ``other`` is this file, unchanged (size, time and etag)."""
        return (self.size, self.changed_ns, self.etag) == (other.size, other.changed_ns, other.etag)


def _every(name: str) -> bool:
    return True


class Folder(Protocol):
    """A place files are dropped into (the port the streams read through)."""

    def list_files(self, wanted: Callable[[str], bool] = _every) -> list[DropFile]:
        """The files there whose name is ``wanted`` (no sub-folders), in no particular order."""
        ...

    def local_copy(self, file: DropFile) -> AbstractContextManager[Path]:
        """A context manager giving a local path to read ``file`` from."""
        ...


class LocalFolder:
    """A directory on this machine (or mounted on it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()

    def list_files(self, wanted: Callable[[str], bool] = _every) -> list[DropFile]:
        """Regular files directly in the folder; FatalConnectorError if it cannot be read."""
        try:
            with os.scandir(self.path) as entries:
                files = []
                for entry in entries:
                    try:
                        if not wanted(entry.name) or not entry.is_file():
                            continue
                        stat = entry.stat()
                    except FileNotFoundError:  # removed while listing
                        continue
                    # On POSIX ctime also moves when a file is renamed into place (foo.part → foo):
                    # a finished upload orders by when it appeared, not by when its bytes were written.
                    changed = max(stat.st_mtime_ns, stat.st_ctime_ns)
                    files.append(DropFile(entry.name, stat.st_size, changed, entry.path))
        except FileNotFoundError as exc:
            raise FatalConnectorError(f"{SYSTEM}: folder {self.path} does not exist", system=SYSTEM) from exc
        except NotADirectoryError as exc:
            raise FatalConnectorError(f"{SYSTEM}: {self.path} is not a folder", system=SYSTEM) from exc
        except PermissionError as exc:
            raise FatalConnectorError(
                f"{SYSTEM}: cannot read folder {self.path}: permission denied", system=SYSTEM
            ) from exc
        except OSError as exc:
            raise FatalConnectorError(
                f"{SYSTEM}: cannot read folder {self.path}: {exc.strerror or exc}", system=SYSTEM
            ) from exc
        return files

    @contextmanager
    def local_copy(self, file: DropFile) -> Iterator[Path]:
        """The file itself."""
        yield Path(file.location)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() == "a":
            self.hrefs.extend(value for name, value in attrs if name.lower() == "href" and value)


FILE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".jsonl", ".ndjson")


class HttpFolder:
    """An http(s) folder listing, or one file when the URL's name ends in a known file suffix."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.single = PurePosixPath(urlsplit(url).path).suffix.lower() in FILE_SUFFIXES
        self.url = url if self.single or url.endswith("/") else url + "/"
        self._token = token
        self._sleep = sleep
        self._transport = transport

    def list_files(self, wanted: Callable[[str], bool] = _every) -> list[DropFile]:
        """The files the index page links to (or the single file): a HEAD for each ``wanted`` one
        gives its time and size."""
        with self._client() as client:
            if self.single:
                urls = [self.url]
            else:
                parser = _Links()
                parser.feed(client.get(self.url).text)
                urls = sorted({url for url in map(self._file_url, parser.hrefs) if url is not None})
            return [self._head(client, url) for url in urls if wanted(_name(url))]

    @contextmanager
    def local_copy(self, file: DropFile) -> Iterator[Path]:
        """Download ``file`` into a temporary folder (removed afterwards)."""
        with tempfile.TemporaryDirectory(prefix="dmshub-file-drop-") as folder:
            target = Path(folder) / file.name
            with self._client() as client:
                response = client.get(file.location)
                target.write_bytes(response.content)
                del response  # the body is on disk now: do not keep a second copy while reading
            yield target

    def _file_url(self, href: str) -> str | None:
        url = urljoin(self.url, href)
        parts, base = urlsplit(url), urlsplit(self.url)
        if parts.query or (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
        folder, _, name = parts.path.rpartition("/")
        if folder + "/" != base.path or not name or "/" in unquote(name):
            return None  # a sub-folder, the parent, a sort link or another site
        return f"{parts.scheme}://{parts.netloc}{parts.path}"

    def _head(self, client: HubHttpClient, url: str) -> DropFile:
        response = client.request("HEAD", url)
        name = _name(url)
        modified = response.headers.get("last-modified")
        if not modified:
            raise FatalConnectorError(
                f"{SYSTEM}: {sanitize_url(url)} has no Last-Modified header, so new files cannot be told "
                "from old ones; serve the folder with Last-Modified or use a local folder",
                system=SYSTEM,
            )
        try:
            stamp = parsedate_to_datetime(modified)
        except (TypeError, ValueError) as exc:
            raise FatalConnectorError(
                f"{SYSTEM}: {sanitize_url(url)} has an unreadable Last-Modified header", system=SYSTEM
            ) from exc
        length = response.headers.get("content-length", "")
        size = int(length) if length.isdigit() else -1
        return DropFile(name, size, int(stamp.timestamp()) * 1_000_000_000, url, response.headers.get("etag"))

    def _client(self) -> HubHttpClient:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        config = HttpClientConfig(
            system=SYSTEM, headers=headers, secrets=(self._token,) if self._token else (), sleep=self._sleep
        )
        return build_http_client(config, transport=self._transport)


def _name(url: str) -> str:
    return unquote(PurePosixPath(urlsplit(url).path).name)
