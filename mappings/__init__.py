"""Declarative mappings: ``mappings/<connector>/<stream>.yaml`` → one canonical entity.

A light facade: importing ``mappings`` loads nothing heavy; each name below is imported
from its module on first use. See ``mappings/README.md`` for the spec format.

    spec = load_spec_for("file-drop", "stock")
    mapping = compile_mapping(spec, reference=load_reference_data(conn, spec))
    batch = mapping.apply(frame)          # batch.valid → store, batch.rejects → quarantine
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mappings.drift import DriftReport, detect_drift, enforce_drift
    from mappings.engine import CompiledMapping, MappedBatch, compile_mapping
    from mappings.errors import MappingError, MappingSpecError, SchemaDriftError
    from mappings.reference import ReferenceData, load_reference_data
    from mappings.registry import find_specs, load_spec_for, mapping_dir
    from mappings.rejects import Reject
    from mappings.schema_check import check_spec_against_schema, preview
    from mappings.spec import MappingSpec, load_spec, parse_spec

__all__ = [
    "CompiledMapping",
    "DriftReport",
    "MappedBatch",
    "MappingError",
    "MappingSpec",
    "MappingSpecError",
    "ReferenceData",
    "Reject",
    "SchemaDriftError",
    "check_spec_against_schema",
    "compile_mapping",
    "detect_drift",
    "enforce_drift",
    "find_specs",
    "load_reference_data",
    "load_spec",
    "load_spec_for",
    "mapping_dir",
    "parse_spec",
    "preview",
]

_HOME = {
    "CompiledMapping": "engine",
    "MappedBatch": "engine",
    "compile_mapping": "engine",
    "DriftReport": "drift",
    "detect_drift": "drift",
    "enforce_drift": "drift",
    "MappingError": "errors",
    "MappingSpecError": "errors",
    "SchemaDriftError": "errors",
    "ReferenceData": "reference",
    "load_reference_data": "reference",
    "find_specs": "registry",
    "load_spec_for": "registry",
    "mapping_dir": "registry",
    "Reject": "rejects",
    "check_spec_against_schema": "schema_check",
    "preview": "schema_check",
    "MappingSpec": "spec",
    "load_spec": "spec",
    "parse_spec": "spec",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'mappings' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"mappings.{module}"), name)
    globals()[name] = value
    return value
