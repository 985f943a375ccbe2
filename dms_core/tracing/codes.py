"""Trace codes as the hub stores them: one EPC pure-identity URN per item (SGTIN) or case (SSCC).

Scanners and partners send GS1 Digital Link URIs as often as URNs; both are normalised here
(through :mod:`canonical_model.identifiers`, which owns the check digits) so that one item has
exactly one spelling in ``trace_codes`` and ``trace_event_epcs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from canonical_model.errors import InvalidIdentifier
from canonical_model.identifiers import parse_sgtin, parse_sscc, sgtin_urn, sscc_urn

__all__ = ["DEFAULT_COMPANY_PREFIX_LENGTH", "Epc", "normalize_epc"]

#: GS1 company prefixes of Chinese brands are mostly 7 digits (690–699 + 4); Digital Link
#: URIs do not say where the prefix ends, so converting one to a URN needs this length.
DEFAULT_COMPANY_PREFIX_LENGTH: Final = 7

_SSCC_DL: Final = "/00/"


@dataclass(frozen=True, slots=True)
class Epc:
    """A normalised trace code: the URN plus the GS1 keys it carries."""

    code: str
    kind: Literal["item", "case"]
    gtin: str | None
    serial: str | None


def normalize_epc(value: object, company_prefix_length: int = DEFAULT_COMPANY_PREFIX_LENGTH) -> Epc:
    """Return the URN form of an SGTIN or SSCC given as an EPC URN or a GS1 Digital Link URI.

    Raises :class:`InvalidIdentifier` (a ``ValidationError``) naming what is wrong.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidIdentifier("trace code", value, "must be a non-empty EPC URN or GS1 Digital Link URI")
    text = value.strip()
    lower = text.lower()
    if lower.startswith(("urn:epc:id:sscc:", "urn:epc:id:sgtin:")):
        # A URN says where its company prefix ends; keep that split.
        company_prefix_length = len(text.split(":", 4)[4].split(".", 1)[0])
    if lower.startswith("urn:epc:id:sscc:") or (lower.startswith("http") and _SSCC_DL in lower):
        return Epc(sscc_urn(parse_sscc(text), company_prefix_length), "case", None, None)
    if lower.startswith("urn:epc:id:sgtin:") or lower.startswith("http"):
        gtin, serial = parse_sgtin(text)
        return Epc(sgtin_urn(gtin, serial, company_prefix_length), "item", gtin, serial)
    if lower.startswith("urn:epc:"):
        reason = "only SGTIN (items) and SSCC (cases) are traced, not " + ":".join(lower.split(":")[:4])
        raise InvalidIdentifier("trace code", value, reason)
    raise InvalidIdentifier(
        "trace code",
        value,
        "must be an EPC URN (urn:epc:id:sgtin:… / urn:epc:id:sscc:…) or a GS1 Digital Link URI",
    )
