"""Schema drift: source columns that appear, disappear or change type between runs.

``detect_drift`` compares what a source delivers now — a DataFrame, a column → type
mapping, or the stream's JSON schema — with what the spec reads and with the schema the
previous run recorded (``report.schema``; the sync engine stores it with the run).
``enforce_drift`` applies the stream's policy: ``warn`` reports, ``fail`` raises
``SchemaDriftError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from pandas.api import types as ptypes

from mappings.errors import SchemaDriftError
from mappings.spec import MappingSpec
from mappings.validate import resolve

__all__ = ["DriftReport", "detect_drift", "enforce_drift", "source_schema"]

_UNINFORMATIVE = frozenset({"null", "unknown"})
_INFERRED = {
    "string": "string",
    "bytes": "string",
    "integer": "integer",
    "floating": "number",
    "decimal": "number",
    "mixed-integer-float": "number",
    "boolean": "boolean",
    "datetime": "datetime",
    "datetime64": "datetime",
    "date": "date",
    "empty": "null",
}


@dataclass(frozen=True)
class DriftReport:
    """What changed in a stream's source columns.

    ``added``/``removed``/``type_changed`` are drift (a policy decides what they do);
    ``unmapped`` lists source columns the spec does not read (information only);
    ``schema`` is the current column → type family, to record for the next run.
    """

    stream: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    type_changed: tuple[tuple[str, str, str], ...] = ()
    unmapped: tuple[str, ...] = ()
    schema: Mapping[str, str] | None = None

    @property
    def has_drift(self) -> bool:
        """True when a column appeared, disappeared or changed type."""
        return bool(self.added or self.removed or self.type_changed)

    def summary(self) -> str:
        """One line for logs, run records and errors."""
        parts = []
        if self.added:
            parts.append(f"added {', '.join(self.added)}")
        if self.removed:
            parts.append(f"removed {', '.join(self.removed)}")
        if self.type_changed:
            parts.append("type changed " + ", ".join(f"{c} ({a} → {b})" for c, a, b in self.type_changed))
        head = (
            f"{self.stream}: schema drift: {'; '.join(parts)}" if parts else f"{self.stream}: no schema drift"
        )
        if self.unmapped:
            head += (
                f" ({len(self.unmapped)} unmapped source column{'s' if len(self.unmapped) > 1 else ''}: "
                f"{', '.join(self.unmapped)})"
            )
        return head

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (for ``sync_run_streams.schema_drift``)."""
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "type_changed": [{"column": c, "before": a, "now": b} for c, a, b in self.type_changed],
            "unmapped": list(self.unmapped),
            "schema": dict(self.schema or {}),
        }


def source_schema(source: pd.DataFrame | Mapping[str, Any]) -> dict[str, str]:
    """Column → type family (string, integer, number, boolean, date, datetime, object, array, null)
    of a DataFrame, a JSON schema (``{"properties": ...}``) or a column → dtype/JSON type mapping."""
    if isinstance(source, pd.DataFrame):
        return {str(name): _frame_family(source[name]) for name in source.columns}
    properties = source.get("properties")
    if isinstance(properties, Mapping):
        return {str(name): _json_family(prop) for name, prop in properties.items()}
    return {str(name): _name_family(str(kind)) for name, kind in source.items()}


def detect_drift(
    spec: MappingSpec, source: pd.DataFrame | Mapping[str, Any], previous: Mapping[str, str] | None = None
) -> DriftReport:
    """Compare the source's columns with the spec and with the previous run's ``schema``."""
    current = source_schema(source)
    used = resolve(spec).source_columns
    removed = {name for name in used if name not in current}
    added: set[str] = set()
    changed: list[tuple[str, str, str]] = []
    if previous is not None:
        removed |= {name for name in previous if name not in current}
        added = {name for name in current if name not in previous}
        for name, now in current.items():
            before = previous.get(name)
            if before is not None and before != now and not {before, now} & _UNINFORMATIVE:
                changed.append((name, before, now))
    return DriftReport(
        stream=spec.name,
        added=tuple(sorted(added)),
        removed=tuple(sorted(removed)),
        type_changed=tuple(sorted(changed)),
        unmapped=tuple(sorted(name for name in current if name not in used)),
        schema=current,
    )


def enforce_drift(report: DriftReport, policy: Literal["warn", "fail"]) -> DriftReport:
    """Raise ``SchemaDriftError`` for drift under policy ``fail``; otherwise return the report."""
    if policy == "fail" and report.has_drift:
        raise SchemaDriftError(f"{report.summary()} (drift policy: fail)")
    return report


def _frame_family(column: pd.Series[Any]) -> str:
    if ptypes.is_bool_dtype(column.dtype):
        return "boolean"
    if ptypes.is_integer_dtype(column.dtype):
        return "integer"
    if ptypes.is_float_dtype(column.dtype):
        return "null" if column.isna().all() else "number"
    if ptypes.is_datetime64_any_dtype(column.dtype):
        return "datetime"
    inferred = ptypes.infer_dtype(column, skipna=True)
    return _INFERRED.get(inferred, "object" if inferred == "mixed" else "string")


def _json_family(prop: object) -> str:
    if not isinstance(prop, Mapping):
        return "unknown"
    declared = prop.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or [])
    types = sorted({str(t) for t in types} - {"null"})
    if not types:
        return "null" if declared else "unknown"
    if types == ["string"]:
        return {"date": "date", "date-time": "datetime"}.get(str(prop.get("format")), "string")
    return "|".join(types)


def _name_family(kind: str) -> str:
    low = kind.lower()
    for prefixes, family in (
        (("bool",), "boolean"),
        (("int", "uint"), "integer"),
        (("float", "double", "decimal", "number"), "number"),
        (("datetime", "timestamp", "date-time"), "datetime"),
        (("date",), "date"),
        (("object", "string", "str", "category"), "string"),
        (("array",), "array"),
        (("null",), "null"),
    ):
        if low.startswith(prefixes):
            return family
    return low
