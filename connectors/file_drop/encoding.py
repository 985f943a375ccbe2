"""Which text encoding a file is in, proved by decoding all of it before a row is read.

``auto`` tries UTF-8 (a BOM is allowed and dropped), then GB18030 — the superset of GBK and
GB2312 that Chinese WMS/ERP exports are often written in. The check streams the file in
1 MiB blocks (bounded memory) and costs one extra sequential read; in exchange a file in an
unexpected encoding fails before any of its rows is loaded, with its name, the first bad
byte and its line, instead of half-way through with a batch already committed.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from connectors.errors import FatalConnectorError
from connectors.file_drop.client import SYSTEM

__all__ = ["CODECS", "TextEncoding", "resolve_encoding"]

#: config value → Python codec (``utf-8-sig`` reads UTF-8 with or without a BOM).
CODECS = {"utf-8": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}
_AUTO = ("utf-8-sig", "gb18030")
_BLOCK = 1 << 20
_NAMES = {"utf-8-sig": "UTF-8", "gbk": "GBK", "gb18030": "GB18030"}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class TextEncoding:
    """How to decode one file."""

    codec: str
    cut_short: bool = False
    """The file ends inside a multi-byte character: it was cut off while being written or copied.
    Its last character is replaced and its last row flagged as malformed."""

    @property
    def errors(self) -> str:
        """The ``errors`` argument to decode with."""
        return "replace" if self.cut_short else "strict"


def resolve_encoding(path: Path, setting: str, *, file_name: str) -> TextEncoding:
    """How to decode all of ``path``; :class:`FatalConnectorError` naming the file if nothing does.

    A file that is valid up to a character cut off at its very end is taken to be in that
    encoding (``cut_short``): a truncated UTF-8 file must not be read as GB18030, which would
    accept its bytes as other characters.
    """
    candidates = _AUTO if setting == "auto" else (CODECS[setting],)
    problems = []
    for codec in candidates:
        problem, at_end = _first_error(path, codec)
        if problem is None or at_end:
            return TextEncoding(codec, cut_short=at_end)
        problems.append(f"not {_NAMES[codec]} ({problem})")
    hint = (
        "it looks like UTF-16: save it as UTF-8 or GB18030"
        if _starts_with_utf16_bom(path)
        else "set `encoding` to the file's encoding"
        if setting == "auto"
        else "check the `encoding` setting"
    )
    raise FatalConnectorError(
        f"{SYSTEM}: cannot decode {file_name}: {'; '.join(problems)}; {hint}", system=SYSTEM
    )


def _first_error(path: Path, codec: str) -> tuple[str | None, bool]:
    """Where ``path`` stops being valid ``codec`` ("byte 0xff at line 3") and whether that is only
    a character cut off at the end; (None, False) when all of it decodes."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    lines_before = 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(_BLOCK):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    # exc.object holds the decoder's pending bytes plus this block; count lines up to
                    # the bad byte within what this block added (close enough for a pointer to the line).
                    pending = len(exc.object) - len(block)
                    where = max(exc.start - pending, 0)
                    line = lines_before + block[:where].count(b"\n") + 1
                    return f"byte 0x{exc.object[exc.start]:02x} at line {line}", False
                lines_before += block.count(b"\n")
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return f"the file ends inside a character, at line {lines_before + 1}", True
    except OSError as exc:
        raise FatalConnectorError(
            f"{SYSTEM}: cannot read {path.name}: {exc.strerror or exc}", system=SYSTEM
        ) from exc
    return None, False


def _starts_with_utf16_bom(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(2) in _UTF16_BOMS
    except OSError:
        return False
