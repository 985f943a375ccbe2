"""ABAP value conventions an RFC client has to undo (and the sandbox has to reproduce).

- **ALPHA conversion**: purely numeric keys (KUNNR, VBELN, and MATNR under MATN1) are stored
  right-aligned with leading zeros (``0000000021``); the screen shows ``21``. Alphanumeric
  keys (external number ranges such as ``D1-003``) are stored as entered.
- **Packed numbers** (types P, QUAN, CURR) reach RFC_READ_TABLE's text rows the way ABAP's
  ``MOVE`` writes them: right-aligned, ``.`` as decimal point, the sign *after* the digits
  (``12.500-``); an overflow shows as ``*``.
- **Dates** (DATS) are ``YYYYMMDD``; ``00000000`` or blanks mean "no date".
- **Language keys** are one character inside the system (``1`` = Chinese, ``E`` = English).
- **WHERE clauses** go to RFC_READ_TABLE's ``OPTIONS`` as lines of at most 72 characters.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

__all__ = [
    "OPTIONS_LINE_LENGTH",
    "abap_date",
    "abap_decimal",
    "alpha_input",
    "alpha_output",
    "format_packed",
    "internal_language",
    "options_lines",
    "quote",
]

OPTIONS_LINE_LENGTH = 72

# ISO 639-1 (as in pyrfc's ``lang``) → SAP's one-character language key (table T002).
_LANGUAGES = {
    "EN": "E",
    "DE": "D",
    "ZH": "1",
    "ZF": "M",
    "JA": "J",
    "KO": "3",
    "FR": "F",
    "ES": "S",
    "IT": "I",
    "PT": "P",
    "RU": "R",
    "NL": "N",
}


def alpha_output(value: str) -> str:
    """``0000000021`` → ``21``; alphanumeric values come back unchanged (minus padding)."""
    text = value.strip()
    if text.isdigit() and text.isascii():
        return text.lstrip("0")
    return text


def alpha_input(value: str, length: int) -> str:
    """``21`` → ``0000000021`` (for ``length`` 10); alphanumeric values are left as they are."""
    text = value.strip()
    if text.isdigit() and text.isascii():
        if len(text) > length:
            raise ValueError(f"{text!r} is longer than {length} digits")
        return text.zfill(length)
    if len(text) > length:
        raise ValueError(f"{text!r} is longer than {length} characters")
    return text


def abap_decimal(text: str) -> Decimal | None:
    """A packed number as RFC_READ_TABLE writes it (``' 1234.500-'``) → ``Decimal('-1234.500')``.

    Blank is None. ``ValueError`` for anything else that is not a number, including ``*``
    overflow marks: a truncated amount must never be read as a smaller one.
    """
    stripped = text.strip()
    if not stripped:
        return None
    negative = stripped.endswith("-")
    digits = stripped[:-1].strip() if negative else stripped
    if "*" in digits:
        raise ValueError(f"{text.strip()!r} overflowed its output field")
    try:
        number = Decimal(digits)
    except InvalidOperation as exc:
        raise ValueError(f"{text.strip()!r} is not an ABAP number") from exc
    if not number.is_finite():
        raise ValueError(f"{text.strip()!r} is not an ABAP number")
    return -number if negative else number


def format_packed(value: Decimal, *, length: int, decimals: int) -> str:
    """``value`` as ABAP's ``MOVE`` to a character field of ``length`` writes it (sandbox side)."""
    quantized = abs(value).quantize(Decimal(1).scaleb(-decimals)) if decimals else abs(value).to_integral()
    text = f"{quantized:f}" + ("-" if value < 0 else " ")
    if len(text) > length:
        return "*" + text[len(text) - length + 1 :]
    return text.rjust(length)


def abap_date(text: str) -> date | None:
    """``20261101`` → ``date(2026, 11, 1)``; ``00000000`` or blank → None."""
    stripped = text.strip()
    if not stripped or stripped == "00000000":
        return None
    if len(stripped) != 8 or not stripped.isdigit():
        raise ValueError(f"{stripped!r} is not an ABAP date (YYYYMMDD)")
    return date(int(stripped[:4]), int(stripped[4:6]), int(stripped[6:]))


def internal_language(iso: str) -> str:
    """``ZH`` → ``1``: the one-character language key stored in SPRAS columns."""
    code = iso.strip().upper()
    if len(code) == 1:
        return code
    try:
        return _LANGUAGES[code]
    except KeyError:
        raise ValueError(f"unknown SAP language {iso!r}; known: {', '.join(sorted(_LANGUAGES))}") from None


def quote(value: str) -> str:
    """An ABAP string literal for a WHERE clause (``'`` doubled)."""
    return "'" + value.replace("'", "''") + "'"


def options_lines(where: str) -> list[dict[str, str]]:
    """``where`` as RFC_READ_TABLE ``OPTIONS`` rows, broken between words at 72 characters.

    Words are never split (a literal torn across two lines would change its value), so a
    single word longer than a line is a ``ValueError``.
    """
    lines: list[str] = []
    current = ""
    for word in _words(where):
        if len(word) > OPTIONS_LINE_LENGTH:
            raise ValueError(f"a WHERE token is longer than {OPTIONS_LINE_LENGTH} characters: {word[:20]}...")
        candidate = f"{current} {word}" if current else word
        if len(candidate) > OPTIONS_LINE_LENGTH:
            lines.append(current)
            candidate = word
        current = candidate
    if current:
        lines.append(current)
    return [{"TEXT": line} for line in lines]


def _words(where: str) -> list[str]:
    # Split on blanks outside quoted literals, so 'A B' stays one word.
    words: list[str] = []
    current: list[str] = []
    quoted = False
    for char in where.strip():
        if char == "'":
            quoted = not quoted
        if char == " " and not quoted:
            if current:
                words.append("".join(current))
                current = []
            continue
        current.append(char)
    if current:
        words.append("".join(current))
    return words
