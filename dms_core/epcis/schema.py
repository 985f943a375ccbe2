"""Validation against GS1's own EPCIS 2.0 JSON schema (draft-07), shipped as package data.

``format`` keywords are checked, not just annotations: ``date-time`` through jsonschema's
RFC 3339 checker and ``uri`` as RFC 3986 requires (a scheme, then no spaces or control
characters). jsonschema's own ``uri`` check needs the optional rfc3987 package; without a
check, the schema's ``propertyNames`` (which admits extension properties as URIs) would let a
misspelt field such as ``epcLst`` through, and an ``epcList`` entry like ``12345`` too.
"""

from __future__ import annotations

import functools
import json
import re
from importlib.resources import files
from typing import Any, Final

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError as JsonSchemaError
from jsonschema.exceptions import best_match

from canonical_model.errors import ValidationError

__all__ = ["EPCIS_SCHEMA_FILE", "epcis_schema", "validate_document"]

EPCIS_SCHEMA_FILE: Final = "EPCIS-JSON-Schema.json"
#: RFC 3986 §3: ``scheme ":" hier-part``; no whitespace or control characters anywhere.
_URI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]*")


@functools.cache
def epcis_schema() -> dict[str, Any]:
    """The schema, read once from the package."""
    text = files("dms_core.epcis").joinpath(EPCIS_SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> Draft7Validator:
    checker = FormatChecker()

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        return not isinstance(value, str) or _URI.fullmatch(value) is not None

    schema = epcis_schema()
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=checker)


def _where(path: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    return "document" + "".join(parts)


def _leaves(error: JsonSchemaError) -> list[JsonSchemaError]:
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub)]


def _most_specific(errors: list[JsonSchemaError]) -> JsonSchemaError | None:
    """The deepest failing check under an ``anyOf``/``allOf`` (e.g. the bad ``action``, not the event)."""
    error: JsonSchemaError | None = best_match(errors)
    if error is None:
        return None
    leaves = [leaf for e in errors for leaf in _leaves(e)]
    deepest = max(len(leaf.absolute_path) for leaf in leaves)
    if deepest <= len(error.absolute_path):
        return error
    candidates = [leaf for leaf in leaves if len(leaf.absolute_path) == deepest]
    # A branch's pattern (e.g. ``^OBSERVE$`` of the ilmd rule) says less than the enum it narrows.
    plain = [leaf for leaf in candidates if leaf.validator not in ("pattern", "not")] or candidates
    chosen: JsonSchemaError | None = best_match(plain)
    return chosen or error


def validate_document(document: object) -> None:
    """Raise :class:`ValidationError` with the schema's message if ``document`` is not valid EPCIS 2.0."""
    if not isinstance(document, dict):
        raise ValidationError(f"not an EPCIS document: expected a JSON object, got {type(document).__name__}")
    error = _most_specific(list(_validator().iter_errors(document)))
    if error is not None:
        message = error.message if len(error.message) <= 300 else error.message[:297] + "..."
        raise ValidationError(f"EPCIS schema: {_where(error.absolute_path)}: {message}")
