"""Where mapping specs live: ``mappings/<connector>/<stream>.yaml`` in this package, plus the
user's own folders (passed in; a user's spec for a stream overrides the packaged one)."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from mappings.errors import MappingError, MappingSpecError
from mappings.spec import MappingSpec, load_spec

__all__ = ["all_specs", "find_specs", "load_spec_for", "mapping_dir"]

_SUFFIXES = (".yaml", ".yml")


def mapping_dir() -> Path:
    """The installed ``mappings`` package folder, which holds the shipped specs."""
    return Path(str(files("mappings")))


def find_specs(connector: str, *, extra_dirs: Sequence[str | Path] = ()) -> dict[str, Path]:
    """Stream name → spec file for ``connector``; ``extra_dirs`` are searched after the
    package folder and win on a clash."""
    found: dict[str, Path] = {}
    for base in (mapping_dir(), *map(Path, extra_dirs)):
        folder = base / connector
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in _SUFFIXES and path.is_file():
                    found[path.stem] = path
    return dict(sorted(found.items()))


def all_specs(*, extra_dirs: Sequence[str | Path] = ()) -> dict[tuple[str, str], Path]:
    """(connector, stream) → spec file, for every connector folder found."""
    connectors: set[str] = set()
    for base in (mapping_dir(), *map(Path, extra_dirs)):
        if base.is_dir():
            connectors |= {p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    return {
        (connector, stream): path
        for connector in sorted(connectors)
        for stream, path in find_specs(connector, extra_dirs=extra_dirs).items()
    }


def load_spec_for(connector: str, stream: str, *, extra_dirs: Sequence[str | Path] = ()) -> MappingSpec:
    """Load and validate the spec of ``connector``/``stream``; ``MappingError`` if there is none."""
    path = find_specs(connector, extra_dirs=extra_dirs).get(stream)
    if path is None:
        places = ", ".join(str(Path(d) / connector) for d in (mapping_dir(), *extra_dirs))
        raise MappingError(f"no mapping for {connector}/{stream}: looked for {stream}.yaml in {places}")
    spec = load_spec(path)
    if (spec.source.connector, spec.source.stream) != (connector, stream):
        raise MappingSpecError(
            f"source is {spec.name} but the file is the mapping of {connector}/{stream}",
            path=spec.where.file,
            line=spec.where.line(("source",)),
        )
    return spec
