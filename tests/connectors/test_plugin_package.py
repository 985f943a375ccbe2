"""A connector shipped in another package appears in the hub without touching this repo.

The test builds a tiny third-party package (its own pyproject.toml declaring a
``dmshub.connectors`` entry point), pip-installs it into a private folder and asks the
real ``dmshub connectors list --json`` for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PYPROJECT = """
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "dmshub-connector-acme-wms"
version = "0.0.1"

[project.entry-points."dmshub.connectors"]
acme-wms = "acme_wms.descriptor:CONNECTOR"
"""

DESCRIPTOR = """
from connectors.descriptor import Connector

CONNECTOR = Connector(
    name="acme-wms",
    kind="source",
    factory="acme_wms.source:AcmeSource",
    description="ACME WMS stock (third-party plugin)",
    streams=("stock", "receipts"),
)
"""


def test_a_pip_installed_plugin_is_listed(tmp_path: Path) -> None:
    package = tmp_path / "src"
    (package / "acme_wms").mkdir(parents=True)
    (package / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (package / "acme_wms" / "__init__.py").write_text("", encoding="utf-8")
    (package / "acme_wms" / "descriptor.py").write_text(textwrap.dedent(DESCRIPTOR), encoding="utf-8")
    target = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(package),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-2000:]

    listed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from flows.cli import main; sys.exit(main())",
            "connectors",
            "list",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(ROOT)])},
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    connectors = {c["name"]: c for c in json.loads(listed.stdout)}
    assert connectors["acme-wms"]["kind"] == "source"
    assert connectors["acme-wms"]["streams"] == ["stock", "receipts"]
    assert connectors["acme-wms"]["package"] == "dmshub-connector-acme-wms"
    assert "sample" in connectors  # the hub's own connectors are still there
