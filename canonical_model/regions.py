"""China's administrative division codes (GB/T 2260, 行政区划代码).

A code has six digits: province (2), prefecture/city (2), county/district (2). Trailing
``00`` pairs mark the upper levels, so the *significant prefix* of a code gives the
hierarchy: ``44`` (440000 广东省) contains ``4401`` (440100 广州市), which contains
``440106`` (天河区). Municipalities use ``xx0100 市辖区`` (and 500200 县 for Chongqing's
counties) as their city level.

The table ships as ``canonical_model/data/regions.csv`` (``code,name,level,parent_code``):
all 34 provincial-level divisions and, for the main dealer regions, their prefectures and
a selection of districts. It is read lazily, on the first lookup, never at import time.
County-level cities administered directly by a province (codes ``xx90xx``) are not listed.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib.resources import files
from typing import Annotated, Final, Literal

from pydantic import AfterValidator

from canonical_model.errors import InvalidIdentifier

__all__ = [
    "Region",
    "RegionCode",
    "RegionLevel",
    "all_regions",
    "ancestors",
    "children",
    "cities",
    "districts",
    "get_region",
    "is_within",
    "parent_region",
    "prefix_of",
    "provinces",
    "region_level",
    "region_name",
    "validate_region_code",
]

RegionLevel = Literal["province", "city", "district"]

_KIND: Final = "region code"
_LEVELS: Final[dict[str, RegionLevel]] = {
    "province": "province",
    "city": "city",
    "district": "district",
}
_SIX_DIGITS: Final = re.compile(r"[0-9]{6}")
_PREFIX: Final = re.compile(r"[0-9]{2}|[0-9]{4}|[0-9]{6}")


@dataclass(frozen=True, slots=True)
class Region:
    """One administrative division."""

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None


def _shape_level(code: str) -> RegionLevel:
    """The level a six-digit code denotes by its shape (trailing zero pairs)."""
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "district"


@functools.cache
def _table() -> dict[str, Region]:
    """Load ``data/regions.csv`` once; codes in ascending order."""
    resource = files("canonical_model").joinpath("data").joinpath("regions.csv")
    table: dict[str, Region] = {}
    for row in csv.DictReader(resource.read_text(encoding="utf-8").splitlines()):
        code = row["code"]
        level = _LEVELS.get(row["level"])
        if level is None or level != _shape_level(code) or code in table:
            raise RuntimeError(f"regions.csv: bad or duplicate row {row!r}")
        table[code] = Region(code, row["name"], level, row["parent_code"] or None)
    return dict(sorted(table.items()))


def validate_region_code(code: str) -> str:
    """Return *code* if it is a known six-digit region code.

    Raises :class:`InvalidIdentifier` with reason ``must be 6 digits, got …`` for a
    malformed value and ``unknown region code`` for a well-formed code not in the table.
    """
    if not isinstance(code, str):
        raise InvalidIdentifier(_KIND, code, f"must be a string of 6 digits, got {type(code).__name__}")
    text = code.strip()
    if not _SIX_DIGITS.fullmatch(text):
        raise InvalidIdentifier(_KIND, code, f"must be 6 digits, got {text!r}")
    if text not in _table():
        raise InvalidIdentifier(_KIND, code, "unknown region code")
    return text


def get_region(code: str) -> Region:
    """Return the :class:`Region` for a known code."""
    return _table()[validate_region_code(code)]


def region_level(code: str) -> RegionLevel:
    """Return ``"province"``, ``"city"`` or ``"district"``."""
    return get_region(code).level


def region_name(code: str) -> str:
    """Return the Chinese name of the region, e.g. ``天河区`` for 440106."""
    return get_region(code).name


def parent_region(code: str) -> str | None:
    """Return the code of the parent region, ``None`` for a province."""
    return get_region(code).parent_code


def ancestors(code: str) -> list[str]:
    """Return the codes of all enclosing regions, province first, *code* excluded."""
    chain: list[str] = []
    parent = parent_region(code)
    while parent is not None:
        chain.append(parent)
        parent = _table()[parent].parent_code
    return chain[::-1]


def prefix_of(code: str) -> str:
    """Return the significant prefix: ``44`` for 440000, ``4401`` for 440100, the code for a district."""
    known = validate_region_code(code)
    level = _table()[known].level
    return known[:2] if level == "province" else known[:4] if level == "city" else known


def _prefix(prefix_or_code: str) -> str:
    """Normalise a region prefix (2, 4 or 6 digits) that must denote a known region."""
    if not isinstance(prefix_or_code, str) or not _PREFIX.fullmatch(prefix_or_code.strip()):
        raise InvalidIdentifier("region prefix", prefix_or_code, "must be 2, 4 or 6 digits")
    text = prefix_or_code.strip()
    full = text.ljust(6, "0")
    if full not in _table() or (len(text) < 6 and prefix_of(full) != text):
        raise InvalidIdentifier("region prefix", prefix_or_code, "unknown region code")
    return prefix_of(full)


def is_within(code: str, prefix_or_code: str) -> bool:
    """Tell whether region *code* lies in (or is) the region named by *prefix_or_code*.

    *prefix_or_code* is a significant prefix (``"44"``, ``"4401"``) or a full code
    (``"440000"``, ``"440100"``, ``"440106"``); a region is within itself.
    """
    return validate_region_code(code).startswith(_prefix(prefix_or_code))


def all_regions() -> list[Region]:
    """Return every region in the table, ordered by code."""
    return list(_table().values())


def _level(level: RegionLevel, within: str | None) -> list[Region]:
    prefix = None if within is None else _prefix(within)
    return [
        r for r in _table().values() if r.level == level and (prefix is None or r.code.startswith(prefix))
    ]


def provinces() -> list[Region]:
    """Return the 34 provincial-level divisions."""
    return _level("province", None)


def cities(within: str | None = None) -> list[Region]:
    """Return the prefecture-level regions, optionally only those within a prefix or code."""
    return _level("city", within)


def districts(within: str | None = None) -> list[Region]:
    """Return the county-level regions, optionally only those within a prefix or code."""
    return _level("district", within)


def children(code: str) -> list[Region]:
    """Return the regions whose parent is *code*."""
    known = validate_region_code(code)
    return [r for r in _table().values() if r.parent_code == known]


def _check_region_field(value: str) -> str:
    try:
        return validate_region_code(value)
    except InvalidIdentifier as exc:
        raise ValueError(str(exc)) from exc


#: ``str`` field type for pydantic models: a known six-digit region code.
RegionCode = Annotated[str, AfterValidator(_check_region_field)]
