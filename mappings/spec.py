"""The mapping spec: pydantic models of ``mappings/<connector>/<stream>.yaml`` and its loader.

A spec is checked twice when loaded: its *shape* by these models (unknown keys, wrong
types, unknown casts) and its *meaning* against the canonical table by
``mappings.validate`` (unknown target columns, missing required columns, expressions,
lookups, defaults). Either way a problem raises ``MappingSpecError`` naming the file, the
line and the field. See ``mappings/README.md`` for the format, annotated.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from mappings._yaml import SourceMap, SpecPath, load_yaml
from mappings.errors import MappingSpecError
from mappings.kinds import Cast, Rounding

__all__ = [
    "CurrencySpec",
    "FieldSpec",
    "MappingSpec",
    "RowCheckSpec",
    "SourceSpec",
    "UnitSpec",
    "load_spec",
    "parse_spec",
    "spec_from_dict",
]

_IDENT = r"^[A-Za-z_][A-Za-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SourceSpec(_Model):
    """Which stream feeds the entity; ``cursor`` orders duplicate keys within a batch."""

    connector: str
    stream: str
    cursor: str | None = None


class UnitSpec(_Model):
    """Convert a quantity to the product's base unit with the canonical unit conversions."""

    source: str | None = Field(None, alias="from", description="source column holding the unit code")
    sku: str = Field("sku", description="the (target) field holding the product's SKU")
    default: str | None = Field(None, description="unit assumed when missing: a unit code or 'base'")


class CurrencySpec(_Model):
    """Convert an amount into currency ``to`` with fixed ``rates`` (or the caller's rates)."""

    source: str | None = Field(None, alias="from", description="source column holding the currency code")
    to: str = Field(pattern=r"^[A-Z]{3}$")
    default: str | None = Field(None, description="currency assumed when missing")
    rates: dict[str, Decimal] = Field(default_factory=dict, description="units of `to` per one unit")


class FieldSpec(_Model):
    """How one target column (or ``_helper`` field) is produced from the source."""

    source: str | None = Field(None, alias="from")
    value: Any = None
    expr: str | None = None
    cast: Cast | None = None
    format: str | list[str] | None = None
    timezone: str | None = None
    scale: int | None = Field(None, ge=0, le=18)
    rounding: Rounding | None = None
    transform: list[str | dict[str, Any]] = Field(default_factory=list)
    map: dict[str, Any] | None = None
    unmapped: Literal["reject", "keep", "null"] = "reject"
    default: Any = None
    required: bool = False
    lookup: str | None = None
    unit: UnitSpec | None = None
    currency: CurrencySpec | None = None
    checks: list[dict[str, Any]] = Field(default_factory=list)
    description: str | None = None

    @field_validator("transform", "checks", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str | dict) else value

    def given(self, key: str) -> bool:
        """True when the spec set ``key`` explicitly (``default: null`` counts as set)."""
        return key in self.model_fields_set


class RowCheckSpec(_Model):
    """A rule over several fields of one row; a row where it is false is rejected."""

    rule: str = Field(pattern=_IDENT)
    expr: str
    message: str | None = None


class MappingSpec(_Model):
    """One source stream → one canonical entity. Build with ``load_spec``/``parse_spec``."""

    entity: str
    source: SourceSpec
    key: list[str] | None = None
    on_duplicate: Literal["keep_last", "reject"] | None = None
    drift: Literal["warn", "fail"] = "warn"
    description: str | None = None
    fields: dict[str, FieldSpec] = Field(min_length=1)
    checks: list[RowCheckSpec] = Field(default_factory=list)
    _where: SourceMap = PrivateAttr(default_factory=SourceMap)
    _plan: object = PrivateAttr(default=None)  # the resolved Plan, cached by mappings.validate

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        # `sku: item_no` renames; `sku:` (empty) takes the same-named column as is.
        if not isinstance(value, dict):
            return value
        return {
            name: ({"from": spec} if isinstance(spec, str) else {} if spec is None else spec)
            for name, spec in value.items()
        }

    @property
    def where(self) -> SourceMap:
        """File and line numbers the spec was read from (for error messages)."""
        return self._where

    @property
    def name(self) -> str:
        """``connector/stream``: how the CLI and the logs name this mapping."""
        return f"{self.source.connector}/{self.source.stream}"

    @property
    def cursor(self) -> str | None:
        """The source column ordering versions of one key, if the stream has one."""
        return self.source.cursor

    @property
    def duplicate_policy(self) -> Literal["keep_last", "reject"]:
        """``on_duplicate``, defaulting to keep_last with a cursor and reject without."""
        if self.on_duplicate is not None:
            return self.on_duplicate
        return "keep_last" if self.source.cursor else "reject"


def parse_spec(text: str, *, path: str | Path = "<spec>") -> MappingSpec:
    """Parse and fully validate spec ``text``; ``path`` is only used in error messages."""
    data, where = load_yaml(text, _display(path))
    return spec_from_dict(data, where=where)


def load_spec(path: str | Path) -> MappingSpec:
    """Read, parse and fully validate the spec file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingSpecError(
            f"cannot read the spec: {exc.__class__.__name__}: {exc}", path=_display(path)
        ) from exc
    return parse_spec(text, path=path)


def spec_from_dict(data: object, *, where: SourceMap | None = None) -> MappingSpec:
    """Validate already-parsed spec data (e.g. built in Python) into a ``MappingSpec``."""
    from mappings.validate import resolve  # the meaning check needs the canonical tables

    where = where or SourceMap()
    if not isinstance(data, dict):
        raise MappingSpecError(
            "a spec is a mapping with entity, source and fields", path=where.file, line=where.line(())
        )
    try:
        spec = MappingSpec.model_validate(data)
    except pydantic.ValidationError as exc:
        raise _translate(exc, where) from exc
    spec._where = where
    resolve(spec)
    return spec


def _translate(exc: pydantic.ValidationError, where: SourceMap) -> MappingSpecError:
    err = exc.errors()[0]
    loc: SpecPath = tuple(
        part
        for part in err["loc"]
        if isinstance(part, int)
        or part in _KNOWN
        or (len(err["loc"]) > 1 and err["loc"][0] == "fields" and part == err["loc"][1])
    )
    field_name = str(loc[1]) if len(loc) >= 2 and loc[0] == "fields" else None
    inner = loc[2:] if field_name else loc
    key = ".".join(str(p) for p in inner if not isinstance(p, int)) or (field_name or "spec")
    kind, given = err["type"], err.get("input")
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", "")).replace("'", "").replace(" or ", ", ")
        problem = f"unknown {key.rsplit('.', 1)[-1]} {given!r} (expected one of: {expected})"
    elif kind == "extra_forbidden":
        bad = str(err["loc"][-1])
        close = difflib.get_close_matches(bad, sorted(_KNOWN), n=1)
        problem = f"unknown key {bad!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
    elif kind == "missing":
        problem = f"missing key {key.rsplit('.', 1)[-1]!r}"
    elif kind in ("model_type", "dict_type"):
        problem = f"{key}: expected a mapping of options, e.g. {{from: column}}, or a source column name"
    else:
        problem = f"{key}: {err['msg']}"
    return MappingSpecError(problem, path=where.file, line=where.line(loc), field=field_name)


def _display(path: str | Path) -> str:
    text = str(path)
    try:
        return str(Path(text).resolve().relative_to(Path.cwd()))
    except ValueError:
        return text


_KNOWN = frozenset(
    {
        alias or name
        for model in (SourceSpec, UnitSpec, CurrencySpec, FieldSpec, RowCheckSpec, MappingSpec)
        for name, info in model.model_fields.items()
        for alias in (info.alias,)
    }
)
