"""Finding specs: the package's own folder, then the user's folders, which win on a clash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import mappings
from mappings.errors import MappingError, MappingSpecError
from mappings.registry import all_specs, find_specs, load_spec_for, mapping_dir


def test_the_mapping_dir_is_the_installed_package_folder() -> None:
    assert mapping_dir() == Path(mappings.__file__).parent
    assert (mapping_dir() / "engine.py").is_file()


def test_specs_are_found_per_connector_in_extra_folders(specs_dir: Path) -> None:
    found = find_specs("erp", extra_dirs=[specs_dir])
    assert found["dealers"] == specs_dir / "erp" / "dealers.yaml"
    assert found["order_lines"] == specs_dir / "erp" / "order_lines.yaml"
    assert ("file-drop", "stock") in all_specs(extra_dirs=[specs_dir])


def test_a_users_spec_overrides_an_earlier_folder(specs_dir: Path, tmp_path: Path) -> None:
    own = tmp_path / "mine"
    (own / "erp").mkdir(parents=True)
    shutil.copy(specs_dir / "erp" / "dealers.yaml", own / "erp" / "dealers.yml")
    assert find_specs("erp", extra_dirs=[specs_dir, own])["dealers"] == own / "erp" / "dealers.yml"


def test_load_spec_for_loads_and_validates(specs_dir: Path) -> None:
    spec = load_spec_for("pay", "payments", extra_dirs=[specs_dir])
    assert (spec.entity, spec.name) == ("payments", "pay/payments")


def test_a_missing_spec_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"^no mapping for erp/ghost: looked for ghost\.yaml in .*erp"):
        load_spec_for("erp", "ghost", extra_dirs=[tmp_path])


def test_a_spec_filed_under_the_wrong_stream_is_refused(specs_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "erp").mkdir()
    shutil.copy(specs_dir / "erp" / "dealers.yaml", tmp_path / "erp" / "customers.yaml")
    with pytest.raises(
        MappingSpecError,
        match=r"customers\.yaml:2: source is erp/dealers but the file is the "
        r"mapping of erp/customers",
    ):
        load_spec_for("erp", "customers", extra_dirs=[tmp_path])


def test_importing_the_package_is_light() -> None:
    import subprocess
    import sys

    heavy = "('pandas', 'sqlalchemy', 'pydantic', 'yaml')"
    code = f"import sys, mappings; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
