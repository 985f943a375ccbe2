"""Errors of the mapping engine.

::

    HubError                      (canonical_model.errors)
    └── MappingError              a mapping spec or its application
        ├── MappingSpecError      a spec file is wrong: names the file, line and field
        └── SchemaDriftError      the source schema drifted and the stream's policy is ``fail``

A bad *record* is never an error: it becomes a ``Reject`` and goes to quarantine.
"""

from __future__ import annotations

from pathlib import Path

from canonical_model.errors import HubError

__all__ = ["MappingError", "MappingSpecError", "SchemaDriftError"]


class MappingError(HubError):
    """A mapping spec cannot be used, or cannot be applied as asked."""


class MappingSpecError(MappingError):
    """A spec is malformed or does not fit the canonical table it targets.

    The message reads ``FILE:LINE: field 'NAME': problem`` (``FILE:LINE: problem`` for
    problems outside ``fields``), so an editor can jump straight to it.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        where = self.path or "<spec>"
        if line is not None:
            where = f"{where}:{line}"
        what = f"field {field!r}: {problem}" if field else problem
        super().__init__(f"{where}: {what}")


class SchemaDriftError(MappingError):
    """The source's columns changed and the stream's drift policy is ``fail``."""
