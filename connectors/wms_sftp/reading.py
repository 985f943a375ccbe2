"""One remote CSV file as chunks of rows, each with the byte position to resume after it.

The parsing itself is file-drop's (:mod:`connectors.file_drop.readers`: strict ``csv``,
``_line`` and ``_malformed`` columns, malformed lines kept as rows for quarantine). What is
added here is what a remote file needs:

- the bytes arrive in bounded blocks (:meth:`DropBox.read_blocks`) and are cut at the last
  line break of each block (a line break is never part of a character in UTF-8, GBK or
  GB18030), so each piece decodes on its own and memory stays at a block plus a chunk;
- every chunk comes with its :class:`Position`: the byte offset and line number after its
  last record. A file interrupted after a committed chunk resumes there (header re-read from
  the file's start), without reading the committed part again;
- ``auto`` encoding decides at the first non-ASCII byte: UTF-8 if it decodes, else GB18030.
  Until then both read the same. A byte that decodes in neither stops the file with its name
  and line (the rows before it are loaded; the file resumes there once it is fixed).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from typing import Any, NoReturn, TextIO, cast

from connectors.errors import FatalConnectorError
from connectors.file_drop._csv import csv_chunks  # file-drop's CSV parser, over remote lines
from connectors.file_drop.readers import LINE, Chunk
from connectors.sftp import RemoteFile
from connectors.wms_sftp.client import DropBox
from connectors.wms_sftp.spec import SYSTEM

__all__ = ["CODECS", "Position", "ReadSettings", "read_chunks"]

#: config value → codec; ``auto`` is None until the first non-ASCII byte decides.
CODECS: dict[str, str | None] = {"auto": None, "utf-8": "utf-8", "gbk": "gb18030", "gb18030": "gb18030"}
_MAX_LINE_BYTES = 16 << 20  # a "line" longer than this is not CSV text: stop rather than buffer it


@dataclass(frozen=True)
class ReadSettings:
    """How files are decoded, split and fetched."""

    encoding: str = "auto"
    delimiter: str = ","
    chunk_rows: int = 25_000
    block_bytes: int = 1 << 20


@dataclass(frozen=True)
class Position:
    """How far into a file the committed rows reach (stored in the stream state)."""

    offset: int
    line: int
    header_end: int
    header_lines: int
    codec: str | None

    def to_state(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "offset": self.offset,
            "line": self.line,
            "header_end": self.header_end,
            "header_lines": self.header_lines,
            "codec": self.codec,
        }

    @classmethod
    def from_state(cls, value: Any) -> Position:
        """Inverse of :meth:`to_state`."""
        return cls(
            int(value["offset"]),
            int(value["line"]),
            int(value["header_end"]),
            int(value["header_lines"]),
            value.get("codec"),
        )


class _LineFeed:
    """Decoded lines of byte ranges of a file; ``offset``/``lines`` say how far it was consumed."""

    def __init__(self, box: DropBox, file: RemoteFile, codec: str | None, block_bytes: int) -> None:
        self._box = box
        self._file = file
        self._block_bytes = block_bytes
        self.codec = codec
        self.offset = 0
        self.lines = 0

    def segment(self, start: int, end: int, first_line: int) -> Generator[str, None, None]:
        """Lines of bytes ``start``..``end`` (both on line boundaries, or ``end`` = file size)."""
        self.offset, self.lines = start, first_line
        carry = b""
        for _, block in self._box.read_blocks(
            self._file.path, start=start, end=end, block_size=self._block_bytes
        ):
            data = carry + block if carry else block
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) > _MAX_LINE_BYTES:
                    raise FatalConnectorError(
                        f"{SYSTEM}: {self._file.name}: line {self.lines + 1} is longer than "
                        f"{_MAX_LINE_BYTES >> 20} MiB: not a CSV file?",
                        system=SYSTEM,
                    )
                carry = data
                continue
            carry = data[cut:]
            yield from self._lines(data[:cut])
        if carry:
            yield from self._lines(carry)

    def _lines(self, piece: bytes) -> Iterator[str]:
        if self.offset == 0 and piece.startswith(codecs.BOM_UTF8):
            self.offset += len(codecs.BOM_UTF8)
            piece = piece[len(codecs.BOM_UTF8) :]
            self.codec = self.codec or "utf-8"
        text = self._decode(piece)
        raws = piece.split(b"\n")
        last = len(raws) - 1
        for index, (line, raw) in enumerate(zip(text.split("\n"), raws, strict=True)):
            if index < last:
                self.offset += len(raw) + 1
                self.lines += 1
                yield line + "\n"
            elif raw:  # the file's last line, without a line break
                self.offset += len(raw)
                self.lines += 1
                yield line

    def _decode(self, piece: bytes) -> str:
        if self.codec is None:
            if piece.isascii():
                return piece.decode("ascii")
            for candidate in ("utf-8", "gb18030"):
                try:
                    text = piece.decode(candidate)
                except UnicodeDecodeError:
                    continue
                self.codec = candidate
                return text
            self._undecodable(piece, "UTF-8 or GB18030", None)
        try:
            return piece.decode(self.codec)
        except UnicodeDecodeError as exc:
            self._undecodable(piece, self.codec.upper(), exc)

    def _undecodable(self, piece: bytes, expected: str, exc: UnicodeDecodeError | None) -> NoReturn:
        where = exc.start if exc is not None else next(i for i, b in enumerate(piece) if b > 0x7F)
        line = self.lines + piece[:where].count(b"\n") + 1
        raise FatalConnectorError(
            f"{SYSTEM}: cannot decode {self._file.name}: byte 0x{piece[where]:02x} at line {line} is not "
            f"{expected}; set `encoding` to the file's encoding (rows before line {line} are loaded)",
            system=SYSTEM,
        ) from exc


def _header_position(box: DropBox, file: RemoteFile, settings: ReadSettings) -> Position:
    """Where the header record ends (bytes and lines), and the codec if the header decided it."""
    feed = _LineFeed(box, file, CODECS[settings.encoding], settings.block_bytes)
    lines = feed.segment(0, file.size, 0)
    try:
        for record in csv.reader(lines, delimiter=settings.delimiter):
            if any(field.strip() for field in record):
                return Position(feed.offset, feed.lines, feed.offset, feed.lines, feed.codec)
    except csv.Error as exc:
        raise FatalConnectorError(
            f"{SYSTEM}: {file.name}: the header line cannot be read: {exc}", system=SYSTEM
        ) from exc
    finally:
        lines.close()
    return Position(file.size, feed.lines, file.size, feed.lines, feed.codec)


def read_chunks(
    box: DropBox, file: RemoteFile, settings: ReadSettings, *, resume: Position | None = None
) -> Iterator[tuple[Chunk, Position]]:
    """Chunks of ``file`` (``_line`` numbered in the whole file) and the position after each.

    ``resume`` continues after a committed position; the header is read again from the start.
    """
    start = resume or _header_position(box, file, settings)
    if start.header_end >= file.size and resume is None:
        return  # empty, or a header without rows
    feed = _LineFeed(box, file, start.codec, settings.block_bytes)
    shift = start.line - start.header_lines

    def lines() -> Iterator[str]:
        yield from feed.segment(0, start.header_end, 0)
        yield from feed.segment(start.offset, file.size, start.line)

    handle = cast(TextIO, lines())  # csv_chunks only iterates over its lines
    try:
        for chunk in csv_chunks(
            handle, file.name, delimiter=settings.delimiter, chunk_rows=settings.chunk_rows, after_line=0
        ):
            position = replace(start, offset=feed.offset, line=feed.lines, codec=feed.codec)
            if shift:
                chunk.frame[LINE] += shift
                chunk = Chunk(chunk.frame, chunk.first_line + shift, chunk.last_line + shift, chunk.last)
            yield chunk, position
            del chunk  # not held while the next chunk is parsed
    except FatalConnectorError as exc:
        if exc.system == SYSTEM:
            raise
        # file-drop's parser names its own connector in its messages
        raise FatalConnectorError(str(exc).replace("file-drop:", f"{SYSTEM}:", 1), system=SYSTEM) from exc
