"""A connector's typed config (a pydantic model) as an Airbyte ``connectionSpecification``.

Secrets are marked ``airbyte_secret: true`` on the property itself, where Airbyte's secret
filter looks: fields typed ``SecretStr`` / ``SecretBytes`` and fields declared with
``json_schema_extra={"airbyte_secret": True}``. ``$ref``s are inlined, because Airbyte's
secret filter and UI do not follow them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from canonical_model.errors import ConfigError

__all__ = ["config_error", "parse_config", "spec_schema"]

JSON_SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#"


def spec_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of ``model`` as an Airbyte connection specification."""
    raw = model.model_json_schema()
    definitions = raw.pop("$defs", {})
    schema = _inline(raw, definitions, seen=())
    _mark_secrets(schema)
    return {"$schema": JSON_SCHEMA_DRAFT, **schema}


def parse_config(model: type[BaseModel], config: Mapping[str, Any], *, connector: str) -> Any:
    """``config`` validated into ``model``; a bad config raises :class:`ConfigError` without values."""
    try:
        return model.model_validate(dict(config))
    except PydanticValidationError as exc:
        raise config_error(exc, connector=connector) from exc


def config_error(exc: PydanticValidationError, *, connector: str) -> ConfigError:
    """A one-line :class:`ConfigError` naming the bad fields, never their values."""
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or '<root>'}: {error['msg']}"
        for error in exc.errors(include_input=False, include_url=False)
    )
    return ConfigError(f"{connector}: invalid config: {problems}")


def _inline(node: Any, definitions: Mapping[str, Any], *, seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(item, definitions, seen=seen) for item in node]
    if not isinstance(node, Mapping):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.removeprefix("#/$defs/")
        if name in seen:
            raise ValueError(f"recursive config model {name!r} cannot become an Airbyte spec")
        target = copy.deepcopy(definitions[name])
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return _inline({**target, **siblings}, definitions, seen=(*seen, name))
    return {key: _inline(value, definitions, seen=seen) for key, value in node.items()}


def _mark_secrets(schema: dict[str, Any]) -> None:
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for prop in properties.values():
            if isinstance(prop, dict):
                if _is_secret_type(prop):
                    prop["airbyte_secret"] = True
                _mark_secrets(prop)
    for keyword in ("oneOf", "anyOf", "allOf"):
        for variant in schema.get(keyword, ()) or ():
            if isinstance(variant, dict):
                # A secret flag inside a variant is not seen by Airbyte's filter: the property
                # carries it (set above); nested objects inside variants are walked for theirs.
                if keyword != "oneOf":
                    variant.pop("airbyte_secret", None)
                _mark_secrets(variant)
    items = schema.get("items")
    if isinstance(items, dict):
        _mark_secrets(items)


def _is_secret_type(prop: Mapping[str, Any]) -> bool:
    if prop.get("airbyte_secret") is True:
        return True
    if prop.get("writeOnly") is True or prop.get("format") == "password":
        return True
    return any(
        isinstance(variant, Mapping)
        and (variant.get("writeOnly") is True or variant.get("format") == "password")
        for keyword in ("anyOf", "oneOf")
        for variant in prop.get(keyword, ()) or ()
    )
