"""Source values as text, string transforms and value maps: all vectorised on Arrow strings."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mappings.vec import Mask

__all__ = [
    "SIMPLE_TRANSFORMS",
    "TEXT_DTYPE",
    "Transform",
    "apply_value_map",
    "as_text",
    "blank_to_null",
    "build_transform",
    "clean_text",
    "to_objects",
]

TEXT_DTYPE = pd.StringDtype(storage="pyarrow")
Transform = Callable[["pd.Series[Any]"], "pd.Series[Any]"]

SIMPLE_TRANSFORMS: dict[str, Transform] = {
    "strip": lambda s: s.str.strip(),
    "lstrip": lambda s: s.str.lstrip(),
    "rstrip": lambda s: s.str.rstrip(),
    "upper": lambda s: s.str.upper(),
    "lower": lambda s: s.str.lower(),
    "collapse_spaces": lambda s: s.str.replace(r"\s+", " ", regex=True),
    # Full-width letters, digits and spaces (ＡＢＣ１２３, U+3000) are common in Chinese
    # source data; NFKC folds them to their ASCII forms.
    "nfkc": lambda s: s.str.normalize("NFKC"),
}
PARAM_TRANSFORMS = ("zfill", "replace", "regex_replace", "prefix", "suffix")


def as_text(series: pd.Series[Any]) -> pd.Series[Any]:
    """``series`` as Arrow-backed strings with ``<NA>`` for missing values (NaN, None)."""
    if series.dtype == TEXT_DTYPE:
        return series
    return series.astype(TEXT_DTYPE)


def to_objects(series: pd.Series[Any]) -> npt.NDArray[np.object_]:
    """The values as an object array with ``None`` (not ``<NA>``/``NaN``) where missing."""
    values = series.to_numpy(dtype=object)
    values[np.asarray(series.isna(), dtype=bool)] = None
    return values


def clean_text(series: pd.Series[Any]) -> pd.Series[Any]:
    """Text with surrounding whitespace removed and empty strings as missing values."""
    text = as_text(series).str.strip()
    return text.mask((text == "").fillna(False))


def blank_to_null(text: pd.Series[Any]) -> pd.Series[Any]:
    """Empty strings as missing values (an empty CSV cell means "no value")."""
    return text.mask((text == "").fillna(False))


def build_transform(spec: str | Mapping[str, Any]) -> Transform:
    """Compile one ``transform`` entry; raises ``ValueError`` with a message for a bad one."""
    if isinstance(spec, str):
        if spec in SIMPLE_TRANSFORMS:
            return SIMPLE_TRANSFORMS[spec]
        known = ", ".join([*SIMPLE_TRANSFORMS, *PARAM_TRANSFORMS])
        raise ValueError(f"unknown transform {spec!r} (expected one of: {known})")
    if len(spec) != 1:
        raise ValueError("a transform with a parameter is a mapping of one key, e.g. {zfill: 6}")
    name, arg = next(iter(spec.items()))
    if name == "zfill" and isinstance(arg, int) and not isinstance(arg, bool) and 0 < arg <= 255:
        return lambda s: s.str.zfill(arg)
    if name in ("prefix", "suffix") and isinstance(arg, str):
        return (lambda s: arg + s) if name == "prefix" else (lambda s: s + arg)
    if name in ("replace", "regex_replace") and isinstance(arg, Mapping) and arg:
        pairs = [(str(old), "" if new is None else str(new)) for old, new in arg.items()]
        regex = name == "regex_replace"
        if regex:
            for pattern, _ in pairs:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc
        return _replacer(pairs, regex=regex)
    expected = {
        "zfill": "a width (1-255)",
        "prefix": "a string",
        "suffix": "a string",
        "replace": "a mapping {old: new}",
        "regex_replace": "a mapping {pattern: replacement}",
    }
    if name in expected:
        raise ValueError(f"transform {name!r} needs {expected[name]}")
    known = ", ".join([*SIMPLE_TRANSFORMS, *PARAM_TRANSFORMS])
    raise ValueError(f"unknown transform {name!r} (expected one of: {known})")


def _replacer(pairs: list[tuple[str, str]], *, regex: bool) -> Transform:
    def run(series: pd.Series[Any]) -> pd.Series[Any]:
        for old, new in pairs:
            series = series.str.replace(old, new, regex=regex)
        return series

    return run


def apply_value_map(
    text: pd.Series[Any], value_map: Mapping[str, str | None], unmapped: str
) -> tuple[pd.Series[Any], Mask]:
    """Translate codes through ``value_map`` (keys and values are text).

    Returns the translated text and the mask of present values not in the map; with
    ``unmapped='keep'`` those keep their source value, with ``'null'`` they become null, and
    with ``'reject'`` they are null and the caller rejects the rows in the mask.
    """
    present = text.notna().to_numpy(dtype=bool)
    hit = text.isin(list(value_map)).to_numpy(dtype=bool)
    translated = text.map(dict(value_map)).astype(TEXT_DTYPE)
    missing = present & ~hit
    if unmapped == "keep":
        translated = translated.where(hit, text)
    return translated, np.asarray(missing, dtype=bool)
