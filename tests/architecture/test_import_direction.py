"""DESIGN.md's dependency direction, checked over every import statement in the packages.

canonical_model ← mappings, dms_core, connectors (connectors: canonical_model only) ← flows ← deployments
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("canonical_model", "mappings", "connectors", "dms_core", "flows", "deployments")

# What each package may import from the project's own packages (itself always allowed).
ALLOWED: dict[str, set[str]] = {
    "canonical_model": set(),
    "mappings": {"canonical_model"},
    "connectors": {"canonical_model"},
    "dms_core": {"canonical_model"},
    "flows": {"canonical_model", "mappings", "connectors", "dms_core"},
    "deployments": {"canonical_model", "mappings", "connectors", "dms_core", "flows"},
}


def project_imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level project package) for every import in ``path``, nested ones included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found.extend((node.lineno, n.split(".")[0]) for n in names if n.split(".")[0] in PACKAGES)
    return found


def violations() -> list[str]:
    bad = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, target in project_imports(path):
                if target != package and target not in ALLOWED[package]:
                    bad.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    return bad


def test_every_import_points_the_way_design_md_allows() -> None:
    assert violations() == []


def test_the_checker_catches_a_wrong_way_import(tmp_path: Path) -> None:
    wrong = tmp_path / "bad.py"
    wrong.write_text(
        "def f():\n    from flows.cli import main\n    import dms_core.pricing\n", encoding="utf-8"
    )
    assert project_imports(wrong) == [(2, "flows"), (3, "dms_core")]


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_exists_and_is_importable(package: str) -> None:
    assert (ROOT / package / "__init__.py").is_file()
