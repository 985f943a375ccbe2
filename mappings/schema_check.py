"""Tools behind ``dmshub mapping check`` and ``dmshub mapping preview``."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mappings.engine import compile_mapping
from mappings.plan import FieldPlan
from mappings.reference import ReferenceData
from mappings.rejects import Reject
from mappings.spec import MappingSpec
from mappings.validate import resolve

__all__ = ["check_spec_against_schema", "preview"]

_SCALARS = frozenset({"string", "integer", "number", "boolean"})
# Which JSON Schema types each way of reading a value can take.
_READABLE: dict[str, frozenset[str]] = {
    "string": _SCALARS,
    "int": frozenset({"integer", "number", "string"}),
    "decimal": frozenset({"integer", "number", "string"}),
    "date": frozenset({"string"}),
    "datetime": frozenset({"string", "integer", "number"}),
    "bool": frozenset({"boolean", "integer", "string"}),
}


def check_spec_against_schema(spec: MappingSpec, json_schema: Mapping[str, Any]) -> list[str]:
    """Problems between ``spec`` and a stream's discovered JSON schema (empty when it fits).

    Every column the spec reads must be a property of the schema, and each field's cast
    must be able to read the property's declared type.
    """
    properties = json_schema.get("properties")
    if not isinstance(properties, Mapping):
        return [f"{spec.name}: the stream's JSON schema has no properties to check against"]
    plan = resolve(spec)
    problems: list[str] = []
    for name in spec.fields:
        fp = plan.field(name)
        for role, column in _columns(fp):
            if column not in properties:
                close = difflib.get_close_matches(column, [str(p) for p in properties], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(f"field {name!r}: {role} {column!r} is not in the stream's schema{hint}")
            elif role == "source column":
                problems.extend(_type_problems(spec, fp, column, properties[column]))
    if spec.cursor and spec.cursor not in properties:
        problems.append(f"source.cursor {spec.cursor!r} is not in the stream's schema")
    return problems


def _columns(fp: FieldPlan) -> list[tuple[str, str]]:
    found = [("source column", fp.source)] if fp.source else []
    if fp.unit and fp.unit.source:
        found.append(("unit column", fp.unit.source))
    if fp.currency and fp.currency.source:
        found.append(("currency column", fp.currency.source))
    return [(role, column) for role, column in found if column]


def _type_problems(spec: MappingSpec, fp: FieldPlan, column: str, prop: object) -> list[str]:
    if not isinstance(prop, Mapping) or fp.cast.parse == "json":
        return []
    declared = prop.get("type")
    types = {declared} if isinstance(declared, str) else set(declared or [])
    types.discard("null")
    if not types:
        return []
    readable = _SCALARS if (fp.transforms or fp.value_map is not None) else _READABLE[fp.cast.parse]
    problems = []
    unreadable = sorted(t for t in types if t not in readable)
    if unreadable:
        problems.append(
            f"field {fp.name!r}: source column {column!r} is {'/'.join(unreadable)} in the schema, "
            f"which cast {fp.cast.parse} cannot read"
        )
    naive = prop.get("airbyte_type") == "timestamp_without_timezone"
    if fp.cast.parse == "datetime" and naive and spec.fields[fp.name].timezone is None:
        problems.append(
            f"field {fp.name!r}: source column {column!r} holds local times without an offset; "
            "set timezone (e.g. Asia/Shanghai) or they are read as UTC"
        )
    return problems


def preview(
    spec: MappingSpec,
    records: Sequence[Mapping[str, Any]],
    n: int = 10,
    *,
    reference: ReferenceData | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Reject]]:
    """The first ``n`` records before and after mapping, and the rejects among them.

    ``after`` holds the valid rows (indexed like ``before``); a spec with lookups or unit
    conversions needs ``reference`` as ``compile_mapping`` does.
    """
    before = pd.DataFrame.from_records(list(records[:n]))
    batch = compile_mapping(spec, reference=reference).apply(before)
    return before, batch.valid, batch.rejects
