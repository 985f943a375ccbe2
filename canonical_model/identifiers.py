"""Validation and normalisation of the identifiers the canonical model stores.

* GS1 keys: GTIN (8/12/13/14 digits, stored as GTIN-14), GLN (13), SSCC (18).
* China's unified social credit code (统一社会信用代码, USCC, GB 32100).
* Serialised item and logistic-unit URIs: EPC pure-identity URNs
  (``urn:epc:id:sgtin:…``, ``urn:epc:id:sscc:…``, GS1 EPC Tag Data Standard) and
  GS1 Digital Link URIs (``https://id.gs1.org/01/{GTIN}/21/{serial}``, any host).

Every check digit comes from python-stdnum (``stdnum.ean`` for the GS1 mod-10 used by
all GS1 keys, ``stdnum.cn.uscc`` for the USCC mod-31); nothing here re-implements one.
Every rejection raises :class:`~canonical_model.errors.InvalidIdentifier` with a reason
fit for a user, e.g. ``check digit should be 7, got 3``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Final
from urllib.parse import quote, unquote, urlsplit

from pydantic import AfterValidator
from stdnum import ean
from stdnum.cn import uscc as _stdnum_uscc

from canonical_model.errors import InvalidIdentifier

__all__ = [
    "GLN",
    "GS1_CHARSET_82",
    "GTIN14",
    "SSCC",
    "USCC",
    "gs1_check_digit",
    "gtin_check_digit",
    "is_valid_gtin",
    "is_valid_uscc",
    "normalize_gln",
    "normalize_gtin",
    "normalize_sscc",
    "normalize_uscc",
    "parse_sgtin",
    "parse_sscc",
    "sgtin_digital_link",
    "sgtin_urn",
    "sscc_digital_link",
    "sscc_urn",
]

#: GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1):
#: the characters allowed in alphanumeric AI values such as the serial number (AI 21).
GS1_CHARSET_82: Final = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
#: Characters of set 82 that an EPC URN must percent-escape (TDS, GS3A3 component).
_URN_ESCAPES: Final = {ch: f"%{ord(ch):02X}" for ch in '"%&/<>?'}
_URN_SERIAL: Final = re.compile(r'(?:[^%"&/<>?]|%(?:22|25|26|2F|3C|3E|3F))*', re.IGNORECASE)
_SERIAL_MAX: Final = 20  # AI 21 is X..20
_SGTIN_URN: Final = "urn:epc:id:sgtin:"
_SSCC_URN: Final = "urn:epc:id:sscc:"
_DEFAULT_RESOLVER: Final = "https://id.gs1.org"
#: Digits and capital letters except I, O, S, V, Z (GB 32100-2015).
_USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_DIGITS: Final = re.compile(r"[0-9]+")
_SEPARATORS: Final = re.compile(r"[\s\-]+")


def _clean(kind: str, value: object) -> str:
    """Return *value* NFKC-normalised (full-width → ASCII) without spaces and hyphens."""
    if not isinstance(value, str):
        raise InvalidIdentifier(kind, value, f"must be a string, got {type(value).__name__}")
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    if not text:
        raise InvalidIdentifier(kind, value, "must not be empty")
    return text


def _accepts(normalize: Callable[[str], str], value: str) -> bool:
    try:
        normalize(value)
    except InvalidIdentifier:
        return False
    return True


def _lengths(lengths: tuple[int, ...]) -> str:
    head = ", ".join(str(n) for n in lengths[:-1])
    return f"{head} or {lengths[-1]}" if head else str(lengths[-1])


def _gs1_key(kind: str, value: object, lengths: tuple[int, ...]) -> str:
    """Validate a numeric GS1 key (digits only, length, mod-10 check digit)."""
    digits = _clean(kind, value)
    if not _DIGITS.fullmatch(digits):
        bad = next(ch for ch in digits if ch not in "0123456789")
        raise InvalidIdentifier(kind, value, f"must contain only digits, found {bad!r}")
    if len(digits) not in lengths:
        raise InvalidIdentifier(kind, value, f"must be {_lengths(lengths)} digits, got {len(digits)}")
    expected = ean.calc_check_digit(digits[:-1])
    if digits[-1] != expected:
        raise InvalidIdentifier(kind, value, f"check digit should be {expected}, got {digits[-1]}")
    return digits


def gs1_check_digit(body: str) -> str:
    """Return the GS1 mod-10 check digit for *body*, a GS1 key without its check digit.

    Works for every GS1 key (GTIN, GLN, SSCC, …): *body* is 7 to 17 digits.
    """
    if not isinstance(body, str) or not _DIGITS.fullmatch(body) or not 7 <= len(body) <= 17:
        raise InvalidIdentifier("GS1 key body", body, "must be 7 to 17 digits")
    return ean.calc_check_digit(body)


def gtin_check_digit(body: str) -> str:
    """Return the check digit completing *body* (7, 11, 12 or 13 digits) into a GTIN."""
    if not isinstance(body, str) or not _DIGITS.fullmatch(body) or len(body) not in (7, 11, 12, 13):
        raise InvalidIdentifier("GTIN body", body, "must be 7, 11, 12 or 13 digits")
    return ean.calc_check_digit(body)


def normalize_gtin(value: str) -> str:
    """Validate a GTIN-8/12/13/14 (spaces and hyphens allowed) and return it as GTIN-14."""
    return _gs1_key("GTIN", value, (8, 12, 13, 14)).zfill(14)


def is_valid_gtin(value: str) -> bool:
    """Tell whether :func:`normalize_gtin` accepts *value*."""
    return _accepts(normalize_gtin, value)


def normalize_gln(value: str) -> str:
    """Validate a 13-digit Global Location Number and return its digits."""
    return _gs1_key("GLN", value, (13,))


def normalize_sscc(value: str) -> str:
    """Validate an 18-digit Serial Shipping Container Code and return its digits."""
    return _gs1_key("SSCC", value, (18,))


def normalize_uscc(value: str) -> str:
    """Validate a unified social credit code and return it upper-cased without separators.

    Layout (GB 32100-2015): registration authority and entity type (2 characters),
    registration region code (6 digits), organisation code (9), check character (1).
    Unlike ``stdnum.cn.uscc.validate`` the first two characters may be letters
    (authority ``Y`` "other", ``N`` agriculture, ``A`` …), as the standard allows.
    """
    code = _clean("USCC", value).upper()
    if len(code) != 18:
        raise InvalidIdentifier("USCC", value, f"must be 18 characters, got {len(code)}")
    for pos, ch in enumerate(code, start=1):
        if ch not in _USCC_ALPHABET:
            allowed = "digits and capital letters except I, O, S, V, Z"
            reason = f"character {ch!r} at position {pos} is not allowed ({allowed})"
            raise InvalidIdentifier("USCC", value, reason)
    if not _DIGITS.fullmatch(code[2:8]):
        raise InvalidIdentifier(
            "USCC", value, f"characters 3-8 (region code) must be digits, got {code[2:8]!r}"
        )
    expected = _stdnum_uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        raise InvalidIdentifier("USCC", value, f"check digit should be {expected}, got {code[17]}")
    return code


def is_valid_uscc(value: str) -> bool:
    """Tell whether :func:`normalize_uscc` accepts *value*."""
    return _accepts(normalize_uscc, value)


# --------------------------------------------------------------------------- EPC / Digital Link


def _check_prefix_length(kind: str, length: int) -> None:
    if not 6 <= length <= 12:
        raise InvalidIdentifier(kind, length, f"company prefix length must be 6 to 12, got {length}")


def _check_serial(kind: str, value: object, serial: str) -> str:
    if not isinstance(serial, str):
        raise InvalidIdentifier(kind, value, f"serial must be a string, got {type(serial).__name__}")
    if not 1 <= len(serial) <= _SERIAL_MAX:
        raise InvalidIdentifier(
            kind, value, f"serial must be 1 to {_SERIAL_MAX} characters, got {len(serial)}"
        )
    bad = next((ch for ch in serial if ch not in GS1_CHARSET_82), None)
    if bad is not None:
        reason = f"serial character {bad!r} is not in the GS1 AI encodable character set 82"
        raise InvalidIdentifier(kind, value, reason)
    return serial


def _urn_unescape(kind: str, uri: str, raw: str) -> str:
    """Undo the GS3A3 escapes of an EPC URN serial; any other ``%`` or raw ``"&/<>?`` is an error."""
    match = _URN_SERIAL.match(raw)
    end = match.end() if match else 0
    if end < len(raw):
        bad = raw[end : end + 3] if raw[end] == "%" else raw[end]
        escapes = " ".join(_URN_ESCAPES.values())
        reason = f'serial {bad!r} is not allowed in an EPC URN (escape "%&/<>? as {escapes})'
        raise InvalidIdentifier(kind, uri, reason)
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m[1], 16)), raw)


def _urn_fields(kind: str, uri: str, rest: str, key_length: int) -> tuple[str, str]:
    """Split ``CompanyPrefix.Reference[.Serial]`` and rebuild the key body without check digit."""
    parts = rest.split(".", 2) if kind == "SGTIN" else rest.split(".")
    expected = (
        "CompanyPrefix.IndicatorItemRef.Serial" if kind == "SGTIN" else "CompanyPrefix.ExtensionSerialRef"
    )
    if len(parts) != (3 if kind == "SGTIN" else 2):
        raise InvalidIdentifier(kind, uri, f"must have the form urn:epc:id:{kind.lower()}:{expected}")
    prefix, reference = parts[0], parts[1]
    if not _DIGITS.fullmatch(prefix) or not 6 <= len(prefix) <= 12:
        raise InvalidIdentifier(kind, uri, f"company prefix must be 6 to 12 digits, got {prefix!r}")
    ref_length = key_length - 1 - len(prefix)
    if not _DIGITS.fullmatch(reference) or len(reference) != ref_length:
        reason = f"reference must be {ref_length} digits for a {len(prefix)}-digit company prefix"
        reason += f", got {reference!r}"
        raise InvalidIdentifier(kind, uri, reason)
    return reference[0] + prefix + reference[1:], parts[2] if len(parts) == 3 else ""


def _digital_link(kind: str, uri: str, primary: str, qualifiers: frozenset[str]) -> dict[str, str]:
    """Return the AI → value pairs of a GS1 Digital Link path whose primary key is *primary*."""
    parts = urlsplit(uri)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        urn = _SGTIN_URN if kind == "SGTIN" else _SSCC_URN
        reason = f"must be an EPC URN ({urn}…) or a GS1 Digital Link URI (https://host/{primary}/…)"
        raise InvalidIdentifier(kind, uri, reason)
    segments = parts.path.rstrip("/").split("/")
    for start, segment in enumerate(segments):
        tail = segments[start:]
        keys = tail[::2]
        if (
            segment != primary
            or len(tail) % 2
            or len(set(keys)) != len(keys)
            or not set(keys[1:]) <= qualifiers
        ):
            continue
        try:
            return {key: unquote(val, errors="strict") for key, val in zip(keys, tail[1::2], strict=True)}
        except UnicodeDecodeError as exc:
            raise InvalidIdentifier(kind, uri, "invalid percent-encoding in the path") from exc
    raise InvalidIdentifier(
        kind, uri, f"GS1 Digital Link path must contain /{primary}/ followed by AI/value pairs"
    )


def sgtin_urn(gtin14: str, serial: str, company_prefix_length: int = 7) -> str:
    """Return the SGTIN EPC pure-identity URN of a GTIN and serial number.

    ``urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial``: the indicator digit moves
    in front of the item reference, the check digit is dropped and the serial is escaped.
    """
    gtin = normalize_gtin(gtin14)
    _check_prefix_length("SGTIN", company_prefix_length)
    _check_serial("SGTIN", serial, serial)
    prefix = gtin[1 : 1 + company_prefix_length]
    reference = gtin[0] + gtin[1 + company_prefix_length : 13]
    escaped = "".join(_URN_ESCAPES.get(ch, ch) for ch in serial)
    return f"{_SGTIN_URN}{prefix}.{reference}.{escaped}"


def sgtin_digital_link(gtin14: str, serial: str, base: str = _DEFAULT_RESOLVER) -> str:
    """Return the GS1 Digital Link URI ``{base}/01/{GTIN-14}/21/{serial}``."""
    gtin = normalize_gtin(gtin14)
    _check_serial("SGTIN", serial, serial)
    return f"{base.rstrip('/')}/01/{gtin}/21/{quote(serial, safe='')}"


def parse_sgtin(uri: str) -> tuple[str, str]:
    """Return ``(gtin14, serial)`` from an SGTIN EPC URN or a GS1 Digital Link URI."""
    if not isinstance(uri, str):
        raise InvalidIdentifier("SGTIN", uri, f"must be a string, got {type(uri).__name__}")
    text = uri.strip()
    if text[: len(_SGTIN_URN)].lower() == _SGTIN_URN:
        body, raw_serial = _urn_fields("SGTIN", uri, text[len(_SGTIN_URN) :], 14)
        gtin = body + ean.calc_check_digit(body)
        serial = _urn_unescape("SGTIN", uri, raw_serial)
    else:
        pairs = _digital_link("SGTIN", text, "01", frozenset({"22", "10", "21"}))
        if "21" not in pairs:
            raise InvalidIdentifier("SGTIN", uri, "GS1 Digital Link has no serial number (/21/…)")
        try:
            gtin = normalize_gtin(pairs["01"])
        except InvalidIdentifier as exc:
            raise InvalidIdentifier("SGTIN", uri, f"GTIN {exc.reason}") from exc
        serial = pairs["21"]
    return gtin, _check_serial("SGTIN", uri, serial)


def sscc_urn(sscc: str, company_prefix_length: int = 7) -> str:
    """Return ``urn:epc:id:sscc:CompanyPrefix.ExtensionSerialRef`` (check digit dropped)."""
    code = normalize_sscc(sscc)
    _check_prefix_length("SSCC", company_prefix_length)
    prefix = code[1 : 1 + company_prefix_length]
    return f"{_SSCC_URN}{prefix}.{code[0]}{code[1 + company_prefix_length : 17]}"


def sscc_digital_link(sscc: str, base: str = _DEFAULT_RESOLVER) -> str:
    """Return the GS1 Digital Link URI ``{base}/00/{SSCC}``."""
    return f"{base.rstrip('/')}/00/{normalize_sscc(sscc)}"


def parse_sscc(uri: str) -> str:
    """Return the 18-digit SSCC from an SSCC EPC URN or a GS1 Digital Link URI (``/00/…``)."""
    if not isinstance(uri, str):
        raise InvalidIdentifier("SSCC", uri, f"must be a string, got {type(uri).__name__}")
    text = uri.strip()
    if text[: len(_SSCC_URN)].lower() == _SSCC_URN:
        body = _urn_fields("SSCC", uri, text[len(_SSCC_URN) :], 18)[0]
        return body + ean.calc_check_digit(body)
    pairs = _digital_link("SSCC", text, "00", frozenset())
    try:
        return normalize_sscc(pairs["00"])
    except InvalidIdentifier as exc:
        raise InvalidIdentifier("SSCC", uri, f"SSCC {exc.reason}") from exc


# --------------------------------------------------------------------------- pydantic types


def _field(normalize: Callable[[str], str]) -> AfterValidator:
    """Wrap a normaliser so pydantic reports its rejection as a field error."""

    def check(value: str) -> str:
        try:
            return normalize(value)
        except InvalidIdentifier as exc:
            raise ValueError(str(exc)) from exc

    return AfterValidator(check)


#: ``str`` fields for pydantic models, normalised on validation.
GTIN14 = Annotated[str, _field(normalize_gtin)]
GLN = Annotated[str, _field(normalize_gln)]
SSCC = Annotated[str, _field(normalize_sscc)]
USCC = Annotated[str, _field(normalize_uscc)]
