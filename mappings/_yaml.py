"""YAML loading that remembers where every key came from, for error messages with line numbers.

PyYAML's composer gives nodes with marks; this builds plain Python data from them and a
side table ``path -> line`` (paths are tuples of keys and list indexes). Mapping keys are
kept as the text written in the file (``01`` stays ``"01"``, ``yes`` stays ``"yes"``), and
numbers with a fraction become ``Decimal`` from their text, never through a binary float.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from mappings.errors import MappingSpecError

__all__ = ["SourceMap", "SpecPath", "load_yaml"]

SpecPath = tuple[str | int, ...]
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})


@dataclass
class SourceMap:
    """Where each part of a spec was written: file name, line per path, raw text per scalar."""

    file: str = "<spec>"
    lines: dict[SpecPath, int] = field(default_factory=dict)
    raw: dict[SpecPath, str] = field(default_factory=dict)

    def line(self, path: SpecPath) -> int | None:
        """The line of ``path``, or of its nearest enclosing part that has one."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None

    def raw_text(self, path: SpecPath, value: object) -> str:
        """The scalar as written in the file (``yes``, ``01``), else ``str(value)``."""
        return self.raw.get(path, str(value))

    def error(self, problem: str, path: SpecPath, *, field_name: str | None = None) -> MappingSpecError:
        """A ``MappingSpecError`` located at ``path``; names the field when the path is in ``fields``."""
        if field_name is None and len(path) >= 2 and path[0] == "fields":
            field_name = str(path[1])
        return MappingSpecError(problem, path=self.file, line=self.line(path), field=field_name)


def load_yaml(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain data plus its ``SourceMap``."""
    where = SourceMap(file=file)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise MappingSpecError("the file is empty", path=file, line=1)
        where.lines[()] = node.start_mark.line + 1
        return _build(loader, node, (), where), where
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "unreadable"
        raise MappingSpecError(f"not valid YAML: {problem}", path=file, line=line) from exc
    except yaml.YAMLError as exc:
        raise MappingSpecError(f"not valid YAML: {exc}", path=file) from exc
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: SpecPath, where: SourceMap) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_object(node, deep=True)
        where.raw[path] = str(node.value)
        if isinstance(value, float) and math.isfinite(value):
            try:
                return Decimal(str(node.value).replace("_", ""))
            except InvalidOperation:  # pragma: no cover - YAML floats are always decimal text
                return Decimal(repr(value))
        return value
    if node.tag not in _PLAIN_TAGS:  # e.g. !!python/object: only plain data is accepted
        raise MappingSpecError(
            f"not valid YAML: tag {node.tag!r} is not allowed in a spec",
            path=where.file,
            line=node.start_mark.line + 1,
        )
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, child in enumerate(node.value):
            where.lines[(*path, index)] = child.start_mark.line + 1
            items.append(_build(loader, child, (*path, index), where))
        return items
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<: *anchor)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise MappingSpecError(
                    "mapping keys must be plain text", path=where.file, line=key_node.start_mark.line + 1
                )
            key = str(key_node.value)
            if key in result:
                raise MappingSpecError(
                    f"duplicate key {key!r}",
                    path=where.file,
                    line=key_node.start_mark.line + 1,
                    field=_field_of((*path, key)),
                )
            where.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _build(loader, value_node, (*path, key), where)
        return result
    raise MappingSpecError("unsupported YAML node", path=where.file, line=node.start_mark.line + 1)


def _field_of(path: SpecPath) -> str | None:
    return str(path[1]) if len(path) >= 2 and path[0] == "fields" else None
